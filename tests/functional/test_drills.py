"""A short crash drill in CI (the full one is benchmarks/crash_drill.py, see docs/operations.md)."""

import pytest

from benchmarks.crash_drill import run


@pytest.mark.slow
def test_killing_the_app_mid_write_loses_nothing_and_the_index_recovers(capsys):
    assert run(kills=3, database_url=None) == 0
    output = capsys.readouterr().out
    assert "integrity check: ok" in output and "partial practices: 0" in output
    assert "index matches the database" in output

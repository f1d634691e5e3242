"""A short crash drill in CI (the full one is benchmarks/crash_drill.py, see docs/operations.md)."""

import pytest

from benchmarks.crash_drill import run


@pytest.mark.slow
def test_killing_the_app_mid_write_loses_nothing_and_the_index_recovers(capsys):
    assert run(kills=3, database_url=None, synthetic=100) == 0
    output = capsys.readouterr().out
    assert "integrity check: ok" in output and "partial practices: 0" in output
    assert "index matches the database" in output


@pytest.mark.slow
def test_a_held_index_lock_never_stops_the_server_and_damage_is_never_served(capsys):
    """The index drills of issue 10 (items 1 and 6), short: one start with the lock held,
    every kind of damage, on 100 synthetic practices (benchmarks/index_drill.py; the full run
    has 20 starts on the seed)."""
    from benchmarks.index_drill import run as index_drills

    assert index_drills(restarts=1, database_url=None, synthetic=100) == 0
    output = capsys.readouterr().out
    assert "stopped by itself 0; pending row not applied 0" in output
    assert "6 of 6 cases found and repaired" in output and " 0 wrong, 0 errors" in output

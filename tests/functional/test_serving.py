"""`practices serve` as operators run it, in a real process: it never stops by itself with status
0, believes forwarded headers only from named proxies, and logs one JSON line per request
(issue 10, items 1, 8 and 12)."""

import fcntl
import json
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from benchmarks.drill_server import DrillServer
from repository.serving import make_config
from repository.settings import Settings, SettingsError
from tests.conftest import record

OPERATIONS = Path(__file__).parents[2] / "docs" / "operations.md"


def get(server, path, headers=None) -> int:
    request = urllib.request.Request(server.url + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def search_total(server, q) -> int:
    try:
        with urllib.request.urlopen(f"{server.url}/api/search?q={q}", timeout=10) as response:
            return json.loads(response.read())["total"]
    except urllib.error.HTTPError as error:
        # The server's own log says why; without it a 500 here cannot be diagnosed from CI.
        log = server.log()[-4000:]
        raise AssertionError(f"{error.code} for {q!r}; server log:\n{log}") from None


@pytest.fixture
def server(tmp_path, database_url, db):
    """A prepared data directory (migrated, three practices indexed) on the test database."""
    drill = DrillServer(tmp_path, database_url if "postgresql" in database_url else None)
    drill.prepare(seed=False)
    drill.cli(
        "import", "-", stdin="\n".join(json.dumps(record(title=f"Hotline {i}")) for i in "abc")
    )
    drill.cli("reindex")
    yield drill
    drill.kill()


@pytest.mark.slow
def test_a_held_index_lock_at_start_up_never_stops_the_server(server):
    """The issue's reproduction: one pending outbox row, `flock` held on writer.lock, two
    workers. The server once stopped every worker and exited 0 after 7.5 s."""
    server.env["PRACTICES_INDEX_POLL_SECONDS"] = "0.2"
    pending = record(title="Pending quokka row")
    with open(server.work / "index" / "writer.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Written while the lock is held: only the running server can apply it.
        server.cli("import", "-", stdin=json.dumps(pending))
        server.start(ready="/healthz")
        time.sleep(12)
        assert server.process.poll() is None, server.log()[-2000:]
        assert get(server, "/api/search?q=hotline") == 200
        assert search_total(server, "quokka") == 0
        fcntl.flock(lock, fcntl.LOCK_UN)
    deadline = time.monotonic() + 20
    while search_total(server, "quokka") != 1:
        assert time.monotonic() < deadline, "the pending row was never applied"
        time.sleep(0.2)
    assert server.stop() == 0  # stopped by a signal: a clean exit


@pytest.mark.slow
def test_a_worker_that_cannot_start_makes_serve_exit_non_zero(server):
    (server.work / "not-a-directory").write_text("")
    server.env["PRACTICES_INDEX_DIR"] = str(server.work / "not-a-directory" / "index")
    with pytest.raises(RuntimeError):
        server.start(timeout=30)
    assert server.process.wait(timeout=30) not in (0, None)


@pytest.mark.slow
def test_forwarded_headers_are_not_believed_and_requests_are_logged_as_json(server):
    server.env["PRACTICES_RATE_LIMIT_PER_MINUTE"] = "3"
    server.workers = 1  # the limit is counted per worker
    server.start(ready="/healthz")
    statuses = [
        get(server, "/api/search?q=secret-query", {"X-Forwarded-For": f"203.0.113.{n}"})
        for n in range(6)
    ]
    assert statuses[:3] == [200, 200, 200] and set(statuses[3:]) == {429}
    # One worker: uvicorn ends itself with the SIGTERM it was stopped by, as a service expects.
    assert server.stop() in (0, -signal.SIGTERM)
    log = server.log()
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    searches = [line for line in lines if line.get("path") == "/api/search"]
    assert len(searches) == 6 and {line["status"] for line in searches} == {200, 429}
    assert all(len(line["request_id"]) == 16 for line in searches)
    # Uvicorn's access log wrote query strings and claimed addresses; nothing does now.
    assert "secret-query" not in log and "203.0.113" not in log


@pytest.mark.slow
@pytest.mark.parametrize("named_by", ["setting", "option"])
def test_a_named_proxy_is_believed(server, named_by):
    """By the setting, or by the option docs/operations.md gives (which serve once refused)."""
    server.env["PRACTICES_RATE_LIMIT_PER_MINUTE"] = "3"
    args: tuple[str, ...] = ()
    if named_by == "setting":
        server.env["PRACTICES_FORWARDED_ALLOW_IPS"] = "127.0.0.1"
    else:
        args = ("--forwarded-allow-ips", "127.0.0.1")
        assert "practices serve --forwarded-allow-ips 127.0.0.1" in OPERATIONS.read_text()
    server.workers = 1
    server.start(ready="/healthz", args=args)
    statuses = [get(server, "/api/search", {"X-Forwarded-For": f"203.0.113.{n}"}) for n in range(6)]
    assert statuses == [200] * 6  # six clients behind the proxy, each within its limit


def test_serve_trusts_forwarded_headers_only_from_named_proxies():
    default = make_config("127.0.0.1", 8000, 2)
    assert default.proxy_headers is False and default.access_log is False
    proxied = make_config("127.0.0.1", 8000, 2, ("10.0.0.5", "192.168.0.0/24"))
    assert proxied.proxy_headers is True
    assert proxied.forwarded_allow_ips == ["10.0.0.5", "192.168.0.0/24"]
    settings = Settings.from_env({"PRACTICES_FORWARDED_ALLOW_IPS": "10.0.0.5, ::1"})
    assert settings.forwarded_allow_ips == ("10.0.0.5", "::1")
    for wrong in ("*", "proxy.example"):
        with pytest.raises(SettingsError):
            Settings.from_env({"PRACTICES_FORWARDED_ALLOW_IPS": wrong})

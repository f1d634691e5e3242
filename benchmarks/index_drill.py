"""Index drills for `practices serve` (issue 10, items 1 and 6).

    .venv/bin/python benchmarks/index_drill.py [--restarts 20] [--database-url URL]

- Lock: leave an outbox row pending, hold the index's writer.lock from another process, start
  the server with two workers, keep the lock for a while, then let go. Counts the restarts in
  which the server stopped by itself (it once exited 0 after 7.5 s) and those in which the
  pending row never reached the index; both must be 0, and SIGTERM must end it with status 0.
- Damage: with the server running, damage the index files (zeroed 4 KB at the start, middle and
  end of the largest segment; half of it cut off; it deleted; the table of contents garbled),
  publish a practice, and probe searches meanwhile. Every answer must be a 503 or exactly right
  (before or after the publish): never a 500, never wrong counts; then the index must be
  repaired, with the new practice found, within 30 seconds.

`benchmarks/crash_drill.py --index-drills` runs both after its kills.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.drill_server import DrillServer

HOLD_SECONDS = 10
REPAIR_SECONDS = 30
HOLD_LOCK = (
    "import fcntl, sys, time\n"
    "handle = open(sys.argv[1], 'a')\n"
    "fcntl.flock(handle, fcntl.LOCK_EX)\n"
    "print('locked', flush=True)\n"
    "time.sleep(3600)\n"
)


def _record(title: str) -> str:
    return json.dumps(
        {
            "title": title,
            "summary": "A practice the index drill publishes against trafficking.",
            "organisation": "Drill NGO",
            "actor_types": ["ngo"],
            "countries": ["FRA"],
            "pillars": ["prevention"],
            "practice_type": "training",
            "evidence": "not_evaluated",
            "start_year": 2015,
            "language": "en",
            "sources": [{"title": "Drill", "url": "https://example.org/drill"}],
            "status": "published",
        }
    )


QUERIES = ("trafficking", "police", "shelter", "labour")


def _search(server: DrillServer, q: str) -> tuple[int, dict | None]:
    url = f"{server.url}/api/search?q={q}&per_page=100"
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, None


def _answers(server: DrillServer) -> tuple[int, tuple | None]:
    """(status, the totals of QUERIES and the ids found for "police"), the first failure's
    status if any search fails."""
    totals, police = [], frozenset()
    for q in QUERIES:
        status, body = _search(server, q)
        if status != 200:
            return status, None
        totals.append(body["total"])
        if q == "police":
            police = frozenset(r["id"] for r in body["results"])
    return 200, (*totals, police)


def _fresh_server(database_url: str | None, synthetic: int | None = None) -> DrillServer:
    work = Path(tempfile.mkdtemp(prefix="practices-index-drill-"))
    server = DrillServer(work, database_url, workers=2)
    server.env["PRACTICES_INDEX_POLL_SECONDS"] = "0.2"
    server.prepare(seed=not synthetic)
    if synthetic:
        server.cli("seed", "--synthetic", str(synthetic))
    server.cli("reindex")
    return server


def lock_drill(server: DrillServer, restarts: int) -> bool:
    self_exits = unapplied = unclean_stops = 0
    for n in range(restarts):
        holder = subprocess.Popen(
            [sys.executable, "-c", HOLD_LOCK, str(server.work / "index" / "writer.lock")],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert holder.stdout.readline().strip() == "locked"
        word = "quokka" + chr(97 + n % 26) + chr(97 + n // 26 % 26)  # one plain word each
        server.cli("import", "-", stdin=_record(f"Pending {word}"))  # stays in the outbox
        try:
            server.start(ready="/healthz")
            time.sleep(HOLD_SECONDS)
            alive = server.process.poll() is None
        finally:
            holder.kill()
            holder.wait()
        if not alive:
            self_exits += 1
            print(f"restart {n}: the server stopped by itself ({server.process.returncode})")
            continue
        deadline = time.monotonic() + REPAIR_SECONDS
        while (_search(server, word)[1] or {"total": 0})["total"] != 1:
            if time.monotonic() > deadline:
                unapplied += 1
                print(f"restart {n}: the pending row was not applied")
                break
            time.sleep(0.2)
        unclean_stops += server.stop() != 0
    print(
        f"lock drill: {restarts} restarts with the index lock held; stopped by itself "
        f"{self_exits}; pending row not applied {unapplied}; unclean stops {unclean_stops}"
    )
    return self_exits == unapplied == unclean_stops == 0


def _largest_segment(directory: Path) -> Path:
    return max(directory.glob("*.seg"), key=lambda p: p.stat().st_size)


def _zero(offset_of):
    def damage(directory: Path) -> None:
        segment = _largest_segment(directory)
        with open(segment, "r+b") as handle:
            handle.seek(offset_of(segment.stat().st_size))
            handle.write(bytes(4096))

    return damage


def _truncate(directory: Path) -> None:
    segment = _largest_segment(directory)
    with open(segment, "r+b") as handle:
        handle.truncate(segment.stat().st_size // 2)


def _delete(directory: Path) -> None:
    _largest_segment(directory).unlink()


def _garble_toc(directory: Path) -> None:
    toc = max(directory.glob("_MAIN_*.toc"), key=lambda p: p.stat().st_mtime_ns)
    toc.write_bytes(b"\x00" * 64 + toc.read_bytes()[64:])


DAMAGES = {
    "zero 4 KB at the start of the largest segment": _zero(lambda size: 0),
    "zero 4 KB in the middle of the largest segment": _zero(lambda size: size // 2),
    "zero 4 KB at the end of the largest segment": _zero(lambda size: max(size - 4096, 0)),
    "cut the largest segment in half": _truncate,
    "delete the largest segment": _delete,
    "garble the table of contents": _garble_toc,
}


def damage_case(server: DrillServer, name: str, damage, n: int) -> bool:
    status, before = _answers(server)
    assert status == 200, status
    # The practice published below is about trafficking, and about none of the other queries.
    after = (before[0] + 1, *before[1:])
    damage(server.work / "index" / "current")
    damaged_at = time.monotonic()
    server.cli("import", "-", stdin=_record(f"Damage drill {n}"))
    tally = {"right": 0, "wrong": 0, "503": 0, "error": 0}
    repaired = False
    deadline = damaged_at + REPAIR_SECONDS
    while time.monotonic() < deadline and not repaired:
        status, answer = _answers(server)
        if status == 503:
            tally["503"] += 1
        elif status != 200:
            tally["error"] += 1
        elif answer in (before, after):
            tally["right"] += 1
            repaired = answer == after
            repair_seconds = time.monotonic() - damaged_at
        else:
            tally["wrong"] += 1
        time.sleep(0.1)
    check = server.cli("check-index") if repaired else "not repaired"
    # Repaired: from the damage to the first right answer that includes the new practice.
    when = f" in {repair_seconds:.1f} s" if repaired else ""
    print(
        f"  {name}: {sum(tally.values())} probes: {tally['right']} right, "
        f"{tally['503']} answered 503, {tally['wrong']} wrong, {tally['error']} errors; "
        f"repaired: {repaired}{when}"
    )
    return repaired and tally["wrong"] == tally["error"] == 0 and "matches" in check


def damage_drill(server: DrillServer, cases: list[str] | None = None) -> bool:
    server.start()
    results = []
    try:
        print("damage drill:")
        for n, (name, damage) in enumerate(DAMAGES.items()):
            if cases is None or name in cases:
                results.append(damage_case(server, name, damage, n))
    finally:
        server.stop()
    print(f"damage drill: {sum(results)} of {len(results)} cases found and repaired")
    return all(results)


def run(restarts: int, database_url: str | None, synthetic: int | None = None) -> int:
    """Both drills on the seed practices, or on `synthetic` generated ones (short, in English:
    each repair rebuilds the index in a second instead of six, as the test suite wants)."""
    # One data directory (and database) for both: a PostgreSQL database is prepared once.
    server = _fresh_server(database_url, synthetic)
    ok = lock_drill(server, restarts)
    ok = damage_drill(server) and ok
    print("INDEX DRILLS", "PASSED" if ok else "FAILED")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--restarts", type=int, default=20)
    parser.add_argument("--database-url", help="PostgreSQL URL (an empty database); default SQLite")
    parser.add_argument("--synthetic", type=int, help="N synthetic practices instead of the seed")
    args = parser.parse_args()
    sys.exit(run(args.restarts, args.database_url, args.synthetic))


if __name__ == "__main__":
    main()

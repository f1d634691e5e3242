"""Load drill: locust, headless and bounded, against the app with 2 workers.

    .venv/bin/pip install -e '.[drills]'
    .venv/bin/python benchmarks/load_drill.py [--users 30] [--seconds 20] [--database-url URL]

30 users for 20 s: 70% searches, 20% practice pages, 10% draft submissions through the API.
Checks zero failed requests, zero lost submissions (every accepted one is in the database),
and the search index equal to the database at the end; prints p95 per kind of request.
"""

import argparse
import csv
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.drill_server import Browser, DrillServer, json_lines


def create_token(server: DrillServer) -> str:
    partner = Browser(server.url)
    partner.sign_in("partner@drill.example")
    # The token is shown once, on the page the creation leads to.
    _status, html = partner.post("/account/tokens", {"action": "create", "name": "load drill"})
    return re.search(r'<code class="token">(ph_[^<]+)</code>', html).group(1)


def run(users: int, seconds: int, database_url: str | None) -> int:
    work = Path(tempfile.mkdtemp(prefix="practices-load-"))
    server = DrillServer(work, database_url, workers=2)
    server.prepare()
    server.start()
    token = create_token(server)
    accepted = work / "accepted.jsonl"
    env = {
        **server.env,
        "PRACTICES_DRILL_TOKEN": token,
        "PRACTICES_DRILL_ACCEPTED": str(accepted),
        "PRACTICES_DRILL_IDS": ",".join(str(i) for i in range(1, 49)),
    }
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            str(Path(__file__).with_name("locustfile.py")),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{seconds}s",
            "--host",
            server.url,
            "--csv",
            str(work / "load"),
            "--only-summary",
            "--stop-timeout",
            "10",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=seconds + 120,
    )
    elapsed = time.monotonic() - started
    time.sleep(3)  # the index writer polls every second
    with open(work / "load_stats.csv") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    failures = int(rows["Aggregated"]["Failure Count"])
    print(
        f"{users} users for {seconds} s ({elapsed:.0f} s with start-up), 2 workers, "
        f"{'PostgreSQL' if database_url else 'SQLite'}"
    )
    for name in ("search", "practice page", "submission", "Aggregated"):
        row = rows.get(name)
        if row:
            print(
                f"  {name:14} requests {int(row['Request Count']):6}  failures {int(row['Failure Count']):3}"
                f"  p50 {row['50%']:>5} ms  p95 {row['95%']:>5} ms  rps {float(row['Requests/s']):.1f}"
            )

    from sqlalchemy import text

    from repository.db import Database

    accepted_rows = json_lines(accepted) if accepted.exists() else []
    database = Database(server.database_url)
    with database.engine.connect() as connection:
        stored = set(
            connection.execute(
                text("SELECT id FROM practice WHERE title LIKE 'Load drill submission%'")
            ).scalars()
        )
    database.dispose()
    lost = [r for r in accepted_rows if r["id"] not in stored]
    check = server.cli("check-index")
    server.stop()
    print(
        f"accepted submissions: {len(accepted_rows)}; in the database: {len(stored)}; lost: {len(lost)}"
    )
    print(f"index: {check.strip()}")
    ok = failures == 0 and not lost and "matches" in check and result.returncode in (0, 1)
    if result.returncode not in (0, 1):
        print(result.stdout[-2000:], result.stderr[-2000:])
    print("LOAD DRILL", "PASSED" if ok else "FAILED")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=30)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--database-url", help="PostgreSQL URL (an empty database); default SQLite")
    args = parser.parse_args()
    sys.exit(run(args.users, args.seconds, args.database_url))


if __name__ == "__main__":
    main()

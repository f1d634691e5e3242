"""Injection drill: sqlmap (Debian's package) against search, practice and API endpoints of a
served test instance on 127.0.0.1. sqlmap always exits 0, so its output is read for an
identified injection point.

    apt-get install sqlmap
    .venv/bin/python benchmarks/injection_drill.py [--database-url URL]
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.drill_server import DrillServer

TARGETS = [
    "/search?q=shelter&pillar=prevention&sort=newest&page=1",
    "/api/search?q=referral&country=BRA&year_from=2000&per_page=10",
    "/api/practices?region=europe&un_group=weog",
    "/practices?pillar=protection&page=1",
    "/api/practices/3",
    "/countries/BRA",
]
FOUND = ("identified the following injection point", "is vulnerable", "appears to be injectable")


def run(database_url: str | None) -> int:
    if not shutil.which("sqlmap"):
        print("sqlmap is not installed: apt-get install sqlmap")
        return 2
    work = Path(tempfile.mkdtemp(prefix="practices-sqlmap-"))
    server = DrillServer(work, database_url, workers=2)
    server.prepare()
    server.start()
    failures = []
    started = time.monotonic()
    try:
        for target in TARGETS:
            url = server.url + target
            if "/api/practices/3" in target or "/countries/BRA" in target:
                url = url.replace("/3", "/3*").replace("/BRA", "/BRA*")  # test the path part too
            result = subprocess.run(
                [
                    "sqlmap",
                    "-u",
                    url,
                    "--batch",
                    "--level=2",
                    "--risk=1",
                    "--threads=4",
                    "--technique=BEUST",
                    "--time-sec=2",
                    "--timeout=10",
                    "--retries=1",
                    f"--output-dir={work / 'sqlmap'}",
                    "--disable-coloring",
                ],
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
            verdict = [line for line in result.stdout.splitlines() if any(f in line for f in FOUND)]
            tested = result.stdout.count("testing '")
            print(
                f"{target}: {tested} payload families tried, "
                f"{'INJECTION FOUND' if verdict else 'nothing found'}"
            )
            if verdict:
                failures.append((target, verdict[:3]))
    finally:
        server.stop()
    errors = (work / "server.log").read_text().count("Traceback")
    print(f"sqlmap time: {time.monotonic() - started:.0f} s; server tracebacks logged: {errors}")
    ok = not failures
    print("INJECTION DRILL", "PASSED" if ok else f"FAILED: {failures}")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", help="PostgreSQL URL (an empty database); default SQLite")
    args = parser.parse_args()
    sys.exit(run(args.database_url))


if __name__ == "__main__":
    main()

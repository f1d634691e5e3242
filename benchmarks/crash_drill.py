"""Crash drill: kill -9 the app in a loop while partners submit and curators publish.

    .venv/bin/python benchmarks/crash_drill.py [--kills 10] [--database-url URL]
        [--index-drills 20] [--index-database-url URL]

Each round starts the app (2 workers), drives submissions and publications through HTTP from a
thread, and SIGKILLs the whole server at a random moment. Afterwards: the database passes its
integrity check, every practice is whole (its tags, sources and revision are there) or absent,
and after a restart the search index equals the database.
"""

import argparse
import random
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.drill_server import Browser, DrillServer, practice_form


def drive(server: DrillServer, stop: threading.Event, counter: dict) -> None:
    """Submit and publish until stopped; connection errors during a kill are expected."""
    partner, curator = Browser(server.url), Browser(server.url)
    try:
        partner.sign_in("partner@drill.example")
        curator.sign_in("curator@drill.example")
    except Exception:
        return
    while not stop.is_set():
        n = counter["next"]
        counter["next"] += 1
        try:
            status, html = partner.post("/submissions/new", practice_form(n))
            found = re.search(r'action="/submissions/(\d+)/submit"', html)
            if status != 200 or not found:
                counter["refused"] += 1
                continue
            practice_id = found.group(1)
            status, _ = partner.post(
                f"/submissions/{practice_id}/submit", {"action": "submit", "confirm": "yes"}
            )
            counter["submitted"] += status == 200
            status, _ = curator.post(
                f"/review/practices/{practice_id}/decision",
                {"action": "publish"},
                page=f"/review/practices/{practice_id}",
            )
            counter["published"] += status == 200
        except OSError:
            counter["interrupted"] += 1


def run(
    kills: int,
    database_url: str | None,
    index_drills: int = 0,
    index_database_url: str | None = None,
    synthetic: int | None = None,
) -> int:
    """The kills on the seed practices, or on `synthetic` generated ones (short and in English,
    so that the collection's first indexing takes seconds, as the test suite wants)."""
    work = Path(tempfile.mkdtemp(prefix="practices-crash-"))
    server = DrillServer(work, database_url)
    server.prepare(seed=not synthetic)
    if synthetic:
        server.cli("seed", "--synthetic", str(synthetic))
    counter = {"next": 0, "submitted": 0, "published": 0, "interrupted": 0, "refused": 0}
    rng = random.Random(7)
    for _ in range(kills):
        server.start()
        stop = threading.Event()
        thread = threading.Thread(target=drive, args=(server, stop, counter))
        thread.start()
        time.sleep(rng.uniform(0.8, 2.0))
        server.kill()
        stop.set()
        thread.join(timeout=20)
    print(
        f"kills: {kills}; attempts: {counter['next']}, submitted {counter['submitted']}, "
        f"published {counter['published']}, interrupted {counter['interrupted']}"
    )

    from sqlalchemy import text

    from repository.db import Database

    database = Database(server.database_url)
    with database.engine.connect() as connection:
        if database.is_sqlite:
            integrity = connection.exec_driver_sql("PRAGMA integrity_check").scalar()
            broken_keys = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        else:
            integrity, broken_keys = "ok", []
        partial = connection.execute(
            text(
                "SELECT count(*) FROM practice p WHERE NOT EXISTS "
                "(SELECT 1 FROM practice_revision r WHERE r.practice_id = p.id) "
                "OR (p.title LIKE 'Drill practice%' AND NOT EXISTS (SELECT 1 FROM practice_tag t "
                "WHERE t.practice_id = p.id AND t.vocabulary = 'pillars') "
                "AND p.status <> 'draft') "
                "OR (p.title LIKE 'Drill practice%' AND NOT EXISTS "
                "(SELECT 1 FROM practice_source s WHERE s.practice_id = p.id))"
            )
        ).scalar()
        published = connection.execute(
            text(
                "SELECT count(*) FROM practice WHERE title LIKE 'Drill practice%' AND status='published'"
            )
        ).scalar()
    database.dispose()
    print(
        f"integrity check: {integrity}; broken foreign keys: {len(broken_keys)}; "
        f"partial practices: {partial}; drill practices published: {published}"
    )
    server.start()  # start-up repairs the index from the database
    check = server.cli("check-index")
    server.stop()
    print(f"after restart: {check.strip()}")
    ok = integrity == "ok" and not broken_keys and partial == 0 and "matches" in check
    print("CRASH DRILL", "PASSED" if ok else "FAILED")
    if index_drills:
        from benchmarks.index_drill import run as run_index_drills

        # Their own data directory, and database: this drill's is full of drill practices.
        ok = run_index_drills(index_drills, index_database_url) == 0 and ok
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--database-url", help="PostgreSQL URL (an empty database); default SQLite")
    parser.add_argument(
        "--index-drills",
        type=int,
        default=0,
        metavar="RESTARTS",
        help="Then the index drills (benchmarks/index_drill.py): RESTARTS starts with the index "
        "lock held, and every kind of damage to the index files.",
    )
    parser.add_argument(
        "--index-database-url",
        help="PostgreSQL URL of another empty database for the index drills; default SQLite",
    )
    parser.add_argument("--synthetic", type=int, help="N synthetic practices instead of the seed")
    args = parser.parse_args()
    sys.exit(
        run(
            args.kills,
            args.database_url,
            args.index_drills,
            args.index_database_url,
            args.synthetic,
        )
    )


if __name__ == "__main__":
    main()

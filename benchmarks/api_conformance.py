"""The API against its OpenAPI document with schemathesis and every check, over HTTP.

    .venv/bin/python benchmarks/api_conformance.py [--max-examples 50] [--database-url URL]

Serves the seed practices with `practices serve` on 127.0.0.1, gives schemathesis a partner's
API token (so POST /api/submissions is exercised past its 401), and runs
`schemathesis run --checks all`. Exit status: schemathesis's own (0 when every check held).
.ci/run runs it on SQLite and PostgreSQL; tests/functional/test_api_schema.py runs the same
checks in-process with fewer examples.
"""

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.drill_server import DrillServer

SEED = 20261129


def partner_token(server: DrillServer) -> str:
    """A new API token of the drill's partner, made the way /account/tokens makes one."""
    script = (
        "from sqlalchemy import select\n"
        "from repository.api import tokens\n"
        "from repository.cli import database\n"
        "from repository.models import User\n"
        "db = database()\n"
        "with db.read() as s:\n"
        "    user = s.scalar(select(User).where(User.email == 'partner@drill.example'))\n"
        "print(tokens.create(db, user, 'schemathesis'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=server.env,
        cwd=server.work,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def run(max_examples: int, database_url: str | None, extra: list[str]) -> int:
    work = Path(tempfile.mkdtemp(prefix="practices-schemathesis-"))
    server = DrillServer(work, database_url, workers=2)
    server.prepare()
    token = partner_token(server)
    server.start()
    try:
        command = [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"{server.url}/api/openapi.json",
            "--checks",
            "all",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-examples",
            str(max_examples),
            "--seed",
            str(SEED),
            "--generation-deterministic",
            "--request-timeout",
            "30",
            *extra,
        ]
        # In the work directory: schemathesis leaves its own files where it runs.
        return subprocess.run(command, cwd=work, check=False).returncode
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--database-url", help="PostgreSQL URL (an empty database); default SQLite")
    args, extra = parser.parse_known_args()
    sys.exit(run(args.max_examples, args.database_url, extra))


if __name__ == "__main__":
    main()

"""Cluster drill: PostgreSQL, three app nodes with their own index directories, HAProxy in
front; locust load through the balancer; one node killed with SIGKILL mid-run and restarted with
its index directory deleted.

    apt-get install -y haproxy postgresql      # Debian's; the drill stops if either is missing
    .venv/bin/pip install -e '.[drills]'
    .venv/bin/python benchmarks/cluster_drill.py [--seconds 90] [--users 20] [--semantic off]

Prints and checks: requests failed at the balancer (0 apart from those in flight on the killed
node), writes lost (0: every acknowledged submission and publication is in the database, and
every published practice is findable on every node), and the time after the last write until
every node's index equals the database (target 5 s). Exit status 0 only if all hold.
Ports: nodes 8150-8152, balancer 8160 (--base-port, --balancer-port); PostgreSQL on a Unix
socket only.
"""

import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.drill_forms import MARKER
from benchmarks.drill_server import PASSWORD, DrillServer

ROOT = Path(__file__).resolve().parent.parent
HAPROXY_TEMPLATE = ROOT / "docs" / "haproxy.cfg"
LOCUSTFILE = Path(__file__).with_name("cluster_load.py")
CONVERGENCE_TARGET = 5.0
NODES = 3


class DrillFailure(Exception):
    pass


def run_as_postgres(args: list[str]) -> None:
    """PostgreSQL refuses to run as root: as root, run its tools as the postgres user."""
    if os.geteuid() == 0:
        args = ["runuser", "-u", "postgres", "--", *args]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


class Postgres:
    """Debian's PostgreSQL in a temporary directory, on a Unix socket only (as .ci/run)."""

    def __init__(self, work: Path, port: int):
        binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not binaries:
            raise DrillFailure("PostgreSQL is missing: apt-get install -y postgresql")
        self.bin = binaries[-1].parent
        self.dir = work / "pg"
        self.port = port

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@/practices?host={self.dir}&port={self.port}"

    def start(self) -> None:
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres")
        run_as_postgres(
            [
                str(self.bin / "initdb"),
                *("-D", str(self.dir / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8"),
            ]
        )
        options = f"-k {self.dir} -p {self.port} -c listen_addresses='' -c max_connections=200"
        run_as_postgres(
            [
                str(self.bin / "pg_ctl"),
                *("-D", str(self.dir / "data"), "-l", str(self.dir / "log")),
                *("-w", "-o", options, "start"),
            ]
        )
        run_as_postgres(
            [
                str(self.bin / "createdb"),
                *("-h", str(self.dir), "-p", str(self.port), "-U", "postgres", "practices"),
            ]
        )

    def stop(self) -> None:
        if (self.dir / "data" / "postmaster.pid").exists():
            run_as_postgres(
                [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "stop"]
            )


class Node(DrillServer):
    def __init__(self, work: Path, database_url: str, port: int, name: str, semantic: str):
        super().__init__(work, database_url, workers=1)
        self.port = port
        self.name = name
        self.env["PRACTICES_NODE_NAME"] = name
        self.env["PRACTICES_SEMANTIC"] = semantic

    @property
    def index_dir(self) -> Path:
        return Path(self.env["PRACTICES_INDEX_DIR"])


def find_haproxy(name: str) -> str:
    """The HAProxy program (Debian puts it in /usr/sbin, often not on a user's PATH)."""
    found = shutil.which(name, path=f"{os.environ.get('PATH', '')}:/usr/sbin")
    if not found:
        raise DrillFailure(
            f"HAProxy is missing ({name} not found): apt-get install -y haproxy (Debian's "
            "package), or name the program with --haproxy"
        )
    return found


class Balancer:
    def __init__(self, work: Path, port: int, nodes: list[Node], haproxy: str):
        self.work, self.port, self.nodes, self.haproxy = work, port, nodes, haproxy
        self.config = work / "haproxy.cfg"
        self.log_path = work / "haproxy.log"
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        haproxy = self.haproxy
        servers = "\n".join(
            f"    server {node.name} 127.0.0.1:{node.port} check" for node in self.nodes
        )
        text = HAPROXY_TEMPLATE.read_text()
        self.config.write_text(
            text.replace("@BIND@", f"127.0.0.1:{self.port}").replace("@SERVERS@", servers)
        )
        subprocess.run([haproxy, "-c", "-q", "-f", str(self.config)], check=True)
        log = open(self.log_path, "w")  # noqa: SIM115 - lives as long as HAProxy
        self.process = subprocess.Popen(
            [haproxy, "-db", "-f", str(self.config)], stdout=log, stderr=subprocess.STDOUT
        )
        wait_for(lambda: status(self.url + "/readyz") == 200, 20, "HAProxy did not answer")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def errors(self) -> list[dict]:
        """Requests the balancer answered with an error, with the node that failed them."""
        found = []
        pattern = re.compile(
            r"nodes/(?P<server>\S+) \S+ (?P<status>-?\d+) \S+ \S+ \S+ (?P<state>\S{4}) .*"
            r'"(?P<method>[A-Z]+) (?P<path>\S+)'
        )
        for line in self.log_path.read_text(errors="replace").splitlines():
            match = pattern.search(line)
            if match and (int(match["status"]) >= 500 or int(match["status"]) < 0):
                found.append(match.groupdict())
        return found


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def wait_for(condition, seconds: float, message: str) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        time.sleep(0.1)
    raise DrillFailure(message)


def findable(node: Node) -> set[int]:
    """The drill practices a search on this node finds (all pages)."""
    ids, page = set(), 1
    while True:
        body = get_json(f"{node.url}/api/search?q={MARKER}&per_page=100&page={page}")
        results = [r for r in body["results"] if MARKER in r["title"]]
        ids |= {r["id"] for r in results}
        if len(body["results"]) < 100:
            return ids
        page += 1


def database_state(url: str) -> tuple[dict[int, str], int]:
    """Drill practices' statuses, and the outbox's last entry."""
    from sqlalchemy import text

    from repository.db import Database

    database = Database(url)
    with database.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT id, status FROM practice WHERE title LIKE :marker"),
            {"marker": f"{MARKER}%"},
        ).all()
        last = connection.execute(text("SELECT coalesce(max(seq), 0) FROM index_outbox")).scalar()
    database.dispose()
    return dict(rows), last


def run_load(
    balancer: Balancer, nodes: list[Node], work: Path, args, writes: Path
) -> tuple[subprocess.CompletedProcess, float]:
    """Locust through the balancer; one node killed and restarted, index deleted, meanwhile."""
    env = {
        **nodes[0].env,
        "PRACTICES_DRILL_WRITES": str(writes),
        "PRACTICES_DRILL_PASSWORD": PASSWORD,
    }
    locust = subprocess.Popen(
        [
            *(sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless"),
            *("-u", str(args.users), "-r", str(args.users), "-t", f"{args.seconds}s"),
            *("--host", balancer.url, "--csv", str(work / "load"), "--only-summary"),
            *("--stop-timeout", "10"),
        ],
        env=env,
        stdout=open(work / "locust.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    victim = nodes[1]
    time.sleep(args.seconds * 0.3)
    killed_at = time.monotonic()
    victim.kill()  # SIGKILL to the node's process group, mid-run
    print(f"  {time.strftime('%X')} killed {victim.name} with SIGKILL")
    shutil.rmtree(victim.index_dir)
    time.sleep(3)
    victim.start(timeout=120)
    print(
        f"  {time.strftime('%X')} {victim.name} back with a rebuilt index, ready after "
        f"{time.monotonic() - killed_at:.1f} s"
    )
    try:
        locust.wait(timeout=args.seconds + 120)
    except subprocess.TimeoutExpired:
        locust.kill()
    return locust, killed_at


def drill(args) -> bool:
    haproxy = find_haproxy(args.haproxy)  # before anything is started
    work = Path(tempfile.mkdtemp(prefix="practices-cluster-"))
    work.chmod(0o711)  # PostgreSQL runs as its own user and needs to reach its directory
    print(f"cluster drill in {work}: {NODES} nodes, semantic search {args.semantic}")
    postgres = Postgres(work, args.postgres_port)
    balancer = None
    nodes: list[Node] = []
    try:
        postgres.start()
        nodes = [
            Node(work / f"node{n}", postgres.url, args.base_port + n - 1, f"node{n}", args.semantic)
            for n in range(1, NODES + 1)
        ]
        nodes[0].prepare(seed=True)
        for node in nodes:
            node.work.mkdir(parents=True, exist_ok=True)
            node.start(timeout=180)
        balancer = Balancer(work, args.balancer_port, nodes, haproxy)
        balancer.start()
        writes = work / "writes.jsonl"
        print(f"  {time.strftime('%X')} load: {args.users} users for {args.seconds} s")
        locust, _killed_at = run_load(balancer, nodes, work, args, writes)
        passed = check(balancer, nodes, work, writes, locust.returncode, postgres.url)
    finally:
        for node in nodes:
            node.stop()
        if balancer:
            balancer.stop()
        postgres.stop()
    if passed and not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"logs, database and indexes kept in {work}")
    return passed


def check(balancer, nodes, work, writes, locust_status, database_url) -> bool:
    acknowledged = [json.loads(line) for line in writes.read_text().splitlines()]
    last_write = max((w["at"] for w in acknowledged), default=time.time())
    statuses, last_seq = database_state(database_url)
    published = {i for i, s in statuses.items() if s == "published"}

    # Convergence: every node has applied the whole outbox and finds exactly the published ones.
    converged = {}
    deadline = time.time() + 60
    while len(converged) < len(nodes) and time.time() < deadline:
        for node in nodes:
            if node.name in converged:
                continue
            try:
                position = get_json(node.url + "/readyz")["outbox"]["position"]
                if position >= last_seq and findable(node) == published:
                    converged[node.name] = time.time() - last_write
            except (OSError, KeyError, TypeError, ValueError):
                pass
        time.sleep(0.1)

    with open(work / "load_stats.csv") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    requests, failures = int(total["Request Count"]), int(total["Failure Count"])
    errors = balancer.errors()
    killed = nodes[1].name
    in_flight = [e for e in errors if e["server"] == killed and e["state"][0] in "SC"]
    other_failures = failures - len(in_flight)

    submitted = {w["id"] for w in acknowledged if w["kind"] == "submitted"}
    published_acks = {w["id"] for w in acknowledged if w["kind"] == "published"}
    lost = sorted(
        [i for i in submitted if statuses.get(i) not in ("submitted", "published")]
        + [i for i in published_acks if statuses.get(i) != "published"]
    )
    index_checks = {node.name: node.cli("check-index").strip() for node in nodes}

    print(f"requests through the balancer: {requests} ({failures} failed)")
    for name in ("search", "create draft", "submit for review", "publish"):
        if row := rows.get(name):
            print(
                f"  {name:18} {int(row['Request Count']):6} requests, {int(row['Failure Count']):3}"
                f" failed, p50 {row['50%']:>5} ms, p95 {row['95%']:>5} ms"
            )
    by_state = Counter(f"{e['server']} {e['status']} {e['state']}" for e in errors)
    print(f"errors at the balancer: {dict(by_state) or 'none'}")
    print(f"failed requests in flight on the killed node: {len(in_flight)}")
    print(f"failed requests apart from those: {other_failures}")
    print(
        f"writes acknowledged: {len(submitted)} submissions, {len(published_acks)} publications;"
        f" lost: {len(lost)}{' ' + str(lost[:20]) if lost else ''}"
    )
    for node in nodes:
        seconds = converged.get(node.name)
        shown = f"{seconds:.2f} s" if seconds is not None else "not within 60 s"
        print(f"  {node.name}: index equal to the database {shown} after the last write")
        print(f"    check-index: {index_checks[node.name]}")
    slowest = max(converged.values(), default=float("inf"))
    print(f"convergence (slowest node): {slowest:.2f} s (target {CONVERGENCE_TARGET:.0f} s)")
    ok = (
        locust_status in (0, 1)
        and other_failures == 0
        and not lost
        and len(converged) == len(nodes)
        and slowest <= CONVERGENCE_TARGET
        and all("matches" in text for text in index_checks.values())
        and bool(published_acks)
    )
    print("CLUSTER DRILL", "PASSED" if ok else "FAILED")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=90, help="length of the load")
    parser.add_argument("--users", type=int, default=20, help="locust users (3 of them write)")
    parser.add_argument("--semantic", choices=["on", "off"], default="on")
    parser.add_argument("--base-port", type=int, default=8150)
    parser.add_argument("--balancer-port", type=int, default=8160)
    parser.add_argument("--postgres-port", type=int, default=5495)
    parser.add_argument("--haproxy", default="haproxy", help="the HAProxy program")
    parser.add_argument(
        "--keep", action="store_true", help="keep the work directory (kept anyway on failure)"
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        sys.exit(0 if drill(args) else 1)
    except DrillFailure as error:
        print(f"CLUSTER DRILL FAILED: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()

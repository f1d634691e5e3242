"""Memory of `practices serve` with 1 and 2 workers: the vector matrix and the segments' arrays
kept in each worker's memory against the files every worker maps read-only (search/vectors.py,
search/segments.py).

    .venv/bin/python benchmarks/worker_memory.py [--size 10000] [--work DIR] [--port 8150]
    .venv/bin/python benchmarks/worker_memory.py --from-bench /work/bench/size-100000 --work DIR

`--before DIR` also measures another checkout (the code before this change) the same way, with
its default settings. Builds (or reuses, with --work) an SQLite database of synthetic practices
and its index with vectors; `--from-bench` copies those a `search_bench.py --keep` run left
instead (the first embedding of 100k practices takes a quarter of an hour). Then for each way
and number of workers starts the server, runs the same searches
(words and meaning) through HTTP from two clients, and reads every worker's peak RSS (VmHWM in
/proc/PID/status) and its RSS and PSS now (/proc/PID/smaps_rollup). PSS counts a page shared by
N processes as 1/N in each, so the sum of the workers' PSS is what they cost together.
Semantic search is on (the default deployment). Run sizes over 10k only when nothing else
heavy runs on the machine.
"""

import argparse
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "shelter for migrant domestic workers",
    "referral mechanism",
    "hotline",
    "labour inspection fishing",
    "awareness campaign radio",
    "supply chain due diligence",
    "judicial training",
    "legal aid for victims",
    "reintegration of survivors",
    "children begging",
]
FILTERS = ["", "&pillar=prevention", "&region=europe", "&actor_type=ngo"]


def env_for(work: Path, shared: bool, code: Path = ROOT) -> dict:
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith("PRACTICES_")},
        "PRACTICES_DATABASE_URL": f"sqlite:///{work / 'practices.db'}",
        "PRACTICES_INDEX_DIR": str(work / "index"),
        "PRACTICES_UPLOAD_DIR": str(work / "uploads"),
        "PRACTICES_DEBUG": "1",
        "PRACTICES_RATE_LIMIT_PER_MINUTE": "0",
        "PRACTICES_SHARED_FILES": "on" if shared else "off",
        "PRACTICES_SHARED_VECTORS": "on" if shared else "off",  # its name before
        "PYTHONPATH": str(code),
    }


def practices(work: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "repository.cli", *args],
        env=env_for(work, True),
        cwd=work,
        check=True,
    )


def prepare(work: Path, size: int, bench: Path | None = None) -> None:
    if (work / "index" / "current").exists():
        return
    work.mkdir(parents=True, exist_ok=True)
    if bench is not None:
        shutil.copyfile(bench / "bench.db", work / "practices.db")
        shutil.copytree(bench / "index", work / "index", symlinks=True)
        return
    practices(work, "db", "upgrade")
    practices(work, "seed", "--synthetic", str(size), "--seed", "1")
    practices(work, "reindex")


def kib(path: str, key: str) -> int:
    with open(path) as handle:
        for line in handle:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def workers_of(server: subprocess.Popen) -> list[int]:
    """uvicorn's worker processes (children of the server), or the server itself with one."""
    children = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if kib_field(status, "PPid") == server.pid:
                children.append(int(status.parent.name))
        except OSError:
            continue
    # With several workers, uvicorn's supervisor also keeps a resource tracker child.
    workers = [p for p in children if b"resource_tracker" not in _cmd(p)]
    return workers or [server.pid]


def kib_field(path: Path, key: str) -> int:
    return kib(str(path), key)


def _cmd(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def search_load(url: str, rounds: int) -> None:
    def client(offset: int):
        for n in range(rounds):
            q = QUERIES[(n + offset) % len(QUERIES)]
            extra = FILTERS[(n * 3 + offset) % len(FILTERS)]
            path = f"/api/search?q={urllib.parse.quote(q)}{extra}"
            with urllib.request.urlopen(url + path, timeout=60) as response:
                response.read()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def measure(work: Path, workers: int, shared: bool, port: int, rounds: int, code: Path) -> dict:
    log = open(work / "server.log", "a")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            *(sys.executable, "-m", "repository.cli", "serve"),
            *("--port", str(port), "--workers", str(workers)),
        ],
        env=env_for(work, shared, code),
        cwd=work,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url + "/readyz", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not become ready; see server.log")
            time.sleep(0.3)
        search_load(url, rounds)
        time.sleep(1)
        pids = workers_of(server)
        return {
            "peak_rss": [kib(f"/proc/{p}/status", "VmHWM") for p in pids],
            "rss": [kib(f"/proc/{p}/smaps_rollup", "Rss") for p in pids],
            "pss": [kib(f"/proc/{p}/smaps_rollup", "Pss") for p in pids],
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--work", type=Path, default=None, help="reuse this directory")
    parser.add_argument("--port", type=int, default=8150)
    parser.add_argument(
        "--from-bench", type=Path, help="a search_bench.py --keep size directory to copy"
    )
    parser.add_argument("--rounds", type=int, default=40, help="searches per client")
    parser.add_argument(
        "--before", type=Path, help="a checkout of the code before (its numbers printed first)"
    )
    args = parser.parse_args()
    work = args.work or Path(f"/tmp/practices-memory-{args.size}")
    prepare(work, args.size, args.from_bench)
    mb = 1024
    size = "synthetic" if args.from_bench else f"{args.size} synthetic"
    print(f"{size} practices, semantic search on; MB (1 MB = 1024 KiB)")
    print(
        f"{'vectors and arrays':24} {'workers':>7} {'peak RSS each':>16} {'RSS sum':>8} {'PSS sum':>8}"
    )
    results = {}
    ways = [("before", True, args.before)] if args.before else []
    ways += [("in each worker", False, ROOT), ("mapped files", True, ROOT)]
    for label, shared, code in ways:
        for workers in (1, 2):
            found = measure(work, workers, shared, args.port, args.rounds, code)
            results[label, workers] = found
            peaks = " / ".join(f"{p / mb:.0f}" for p in found["peak_rss"])
            print(
                f"{label:24} {workers:>7} {peaks:>16} {sum(found['rss']) / mb:>8.0f} "
                f"{sum(found['pss']) / mb:>8.0f}",
                flush=True,
            )
    for label, _shared, _code in ways:
        one, two = results[label, 1], results[label, 2]
        extra = (sum(two["pss"]) - sum(one["pss"])) / mb
        print(f"the second worker adds (PSS), {label}: {extra:.0f} MB")


if __name__ == "__main__":
    main()

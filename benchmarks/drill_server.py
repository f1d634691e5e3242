"""Shared by the drills: a data directory, the app served by uvicorn in a child process on
127.0.0.1, and accounts to act with. Nothing here leaves this machine."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode

from benchmarks.drill_forms import submission_form

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "drill passphrase long enough"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class DrillServer:
    def __init__(self, work: Path, database_url: str | None = None, workers: int = 2):
        self.work = work
        self.port = free_port()
        self.workers = workers
        self.database_url = database_url or f"sqlite:///{work / 'practices.db'}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("PRACTICES_")},
            "PRACTICES_DATABASE_URL": self.database_url,
            "PRACTICES_INDEX_DIR": str(work / "index"),
            "PRACTICES_UPLOAD_DIR": str(work / "uploads"),
            "PRACTICES_SECRET_KEY": "drill-secret-key-long-enough-0123456789abcdef",
            "PRACTICES_DEBUG": "1",  # plain http on 127.0.0.1: cookies without the Secure flag
            "PRACTICES_RATE_LIMIT_PER_MINUTE": "0",  # the drills measure capacity, not limits
            # The drills check serving, writes and recovery, not ranking, and the default blend's
            # first embedding of the seed takes minutes: USE alone, unless the environment names
            # a setting (PRACTICES_SEMANTIC=on drills with the blend).
            "PRACTICES_SEMANTIC": os.environ.get("PRACTICES_SEMANTIC", "use"),
            "PYTHONPATH": str(ROOT),
        }
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cli(self, *args: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "repository.cli", *args],
            env=self.env,
            cwd=self.work,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise RuntimeError(f"practices {' '.join(args)}: {result.stdout}{result.stderr}")
        return result.stdout

    def prepare(self, seed: bool = True) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        self.cli("db", "upgrade")
        if seed:
            self.cli("seed")
        self.cli(
            "users",
            "add",
            "--email",
            "partner@drill.example",
            "--name",
            "Partner",
            "--organisation",
            "Drill NGO",
            "--password",
            PASSWORD,
        )
        self.cli(
            "users",
            "add",
            "--email",
            "curator@drill.example",
            "--name",
            "Curator",
            "--role",
            "curator",
            "--password",
            PASSWORD,
        )

    def start(
        self, timeout: float = 60, ready: str = "/readyz", args: tuple[str, ...] = ()
    ) -> None:
        """`practices serve [args]`, as an operator runs it; returns once `ready` answers 200."""
        log = open(self.work / "server.log", "a")  # noqa: SIM115 - lives as long as the server
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "repository.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
                *args,
            ],
            env=self.env,
            cwd=self.work,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + ready, timeout=2) as response:
                    if response.status == 200:
                        return
            except (OSError, urllib.error.HTTPError):
                pass
            if self.process.poll() is not None:
                raise RuntimeError((self.work / "server.log").read_text()[-2000:])
            time.sleep(0.2)
        raise RuntimeError("the server did not become ready")

    def log(self) -> str:
        return (self.work / "server.log").read_text()

    def kill(self) -> None:
        """SIGKILL to the whole process group: the server and its workers, no clean-up."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> int | None:
        """SIGTERM to the server, as a service manager stops it; its exit status."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.process.returncode if self.process else None


class Browser:
    """A tiny cookie-keeping HTTP client that fills in CSRF tokens like a browser would."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post(self, path: str, data: dict, page: str | None = None) -> tuple[int, str]:
        _status, html = self.get(page or path)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        body = urlencode(
            {**data, "csrf_token": token.group(1) if token else ""}, doseq=True
        ).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def sign_in(self, email: str) -> None:
        status, _ = self.post("/signin", {"email": email, "password": PASSWORD})
        if status != 200:
            raise RuntimeError(f"sign-in failed: {status}")


def practice_form(n: int) -> dict:
    """The crash drill's form: the cluster drill's (benchmarks/drill_forms.py), numbered."""
    return {
        **submission_form(str(n)),
        "title": f"Drill practice {n}",
        "summary": "A practice created by a drill.",
    }


def json_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]

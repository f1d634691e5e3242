"""The browser harness: the app served by uvicorn on 127.0.0.1, Debian's Chromium driven by
Playwright (no browser download), axe-core injected into every page."""

import os
import shutil
import socket
import threading
import time
from contextlib import contextmanager

import pytest
import uvicorn

from repository.app import create_app
from repository.practices.interchange import import_lines
from tests.conftest import sample_seed_lines, shared_app

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    for candidate in (
        os.environ.get("PRACTICES_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and os.path.exists(candidate):
            return candidate
    return None


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if path is None:
        message = "Chromium not found: install Debian's chromium package (apt-get install chromium)"
        if os.environ.get("PRACTICES_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


class LiveServer:
    def __init__(self, app):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.thread.start()
        # Generous: a first start embeds every seed practice (about 20 s on two busy cores).
        deadline = time.monotonic() + 90
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def browser_seed() -> list[str]:
    """The seed practices a test's server starts with: the functional tests' sample, whose
    index builds in a second where the whole collection's takes six (each test starts its own
    server). A test that needs the whole collection overrides this fixture."""
    return sample_seed_lines()


@pytest.fixture
def live_server(settings, db, browser_seed):
    report = import_lines(db, browser_seed)
    assert not report.errors
    with LiveServer(create_app(settings, database=db)) as server:
        yield server


@contextmanager
def shared_live_server(database, directory):
    """One server on the seed sample for a whole module, for tests whose writes no other test
    of the module looks at (each opens its own browser context, so its own session): starting
    one per test took two seconds each."""
    with shared_app(database, directory, sample_seed_lines()) as app, LiveServer(app) as server:
        yield server


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    yield page
    context.close()

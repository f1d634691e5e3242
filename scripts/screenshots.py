"""Regenerate docs/screenshots/: the brief, search and coverage pages at 1280 and 390 px.

    .venv/bin/python scripts/screenshots.py

    .venv/bin/python scripts/screenshots.py languages   # only the Arabic, Chinese, Russian ones

Builds a throwaway database with the seed practices, serves the app on a free local port,
and in Debian's Chromium does what the delegate of issue 14 does: searches for "labour
exploitation in supply chains", adds the first five results to the brief with the keyboard,
and opens the brief. Also writes the brief's text download as produced (no edits) to
docs/screenshots/supply-chain-brief.txt.

Then the home, search, practice and brief pages in Arabic, Chinese and Russian, as a reader
whose browser asks for that language sees them (home-ar-1280.png, ...): a search in the
language's own words, a practice written in it, and a brief of the first three results.
"""

import os
import secrets
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import uvicorn  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from repository import migrations  # noqa: E402
from repository.app import create_app  # noqa: E402
from repository.db import Database  # noqa: E402
from repository.practices.interchange import import_lines  # noqa: E402
from repository.settings import Settings  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
QUERY = "labour exploitation in supply chains"
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
CHROMIUM = os.environ.get("PRACTICES_CHROMIUM", "/usr/bin/chromium")


def serve(workdir: Path):
    database_url = f"sqlite:///{workdir / 'practices.db'}"
    database = Database(database_url)
    migrations.upgrade(database.engine)
    seed = (ROOT / "seed" / "practices.jsonl").read_text(encoding="utf-8").splitlines()
    report = import_lines(database, seed)
    assert not report.errors, report.errors[:3]
    settings = Settings(
        database_url=database_url,
        index_dir=workdir / "index",
        upload_dir=workdir / "uploads",
        secret_key=secrets.token_urlsafe(32),
        debug=True,  # plain http on 127.0.0.1
        index_poll_seconds=0,
        rate_limit_per_minute=0,
        allowed_hosts=("127.0.0.1",),
    )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        create_app(settings, database=database), host="127.0.0.1", port=port, log_level="warning"
    )
    server = uvicorn.Server(config)
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server, f"http://127.0.0.1:{port}"


def build_brief(page) -> None:
    """The delegate's steps, by keyboard: search, then Tab to each Add button and press Enter."""
    page.goto("/search?" + "q=" + QUERY.replace(" ", "+"))
    for n in range(1, 6):
        button = page.locator(f"ol.results li.card:nth-of-type({n}) .add-to-brief button")
        button.focus()
        page.keyboard.press("Enter")
        page.locator(f"ol.results li.card:nth-of-type({n}) .in-brief").wait_for()


# A search in the language's own words, and a practice written in it (seed line numbers).
LANGUAGE_PAGES = {
    "ar": ("الاتجار بالبشر", 175),
    "zh": ("拐卖 妇女", 193),
    "ru": ("торговля людьми", 158),
}


def language_pages(browser, base: str) -> None:
    for language, (query, practice_id) in LANGUAGE_PAGES.items():
        for width, height in WIDTHS.values():
            context = browser.new_context(
                base_url=base,
                viewport={"width": width, "height": height},
                locale=language,
                extra_http_headers={"Accept-Language": language},
            )
            page = context.new_page()
            page.goto("/")
            page.screenshot(path=OUT / f"home-{language}-{width}.png")
            page.goto("/search?q=" + query)
            for n in range(1, 4):
                button = page.locator(f"ol.results li.card:nth-of-type({n}) .add-to-brief button")
                if button.count():
                    button.focus()
                    page.keyboard.press("Enter")
                    page.locator(f"ol.results li.card:nth-of-type({n}) .in-brief").wait_for()
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=OUT / f"search-{language}-{width}.png")
            page.goto(f"/practices/{practice_id}")
            page.screenshot(path=OUT / f"practice-{language}-{width}.png")
            page.goto("/brief")
            page.screenshot(path=OUT / f"brief-{language}-{width}.png")
            context.close()


def main() -> None:
    only_languages = sys.argv[1:] == ["languages"]
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        server, base = serve(Path(tmp))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--headless", "--no-sandbox", "--disable-gpu"],
                )
                language_pages(browser, base)
                for name, (width, height) in ({} if only_languages else WIDTHS).items():
                    context = browser.new_context(
                        base_url=base, viewport={"width": width, "height": height}
                    )
                    page = context.new_page()
                    build_brief(page)
                    page.evaluate("window.scrollTo(0, 0)")
                    page.screenshot(path=OUT / f"search-{width}.png")
                    page.goto("/brief")
                    page.screenshot(path=OUT / f"brief-{width}.png", full_page=True)
                    if name == "desktop":
                        text = page.request.get("/brief.txt").text()
                        (OUT / "supply-chain-brief.txt").write_text(text, encoding="utf-8")
                    page.goto("/coverage")
                    page.screenshot(path=OUT / f"coverage-{width}.png", full_page=True)
                    context.close()
                browser.close()
        finally:
            server.should_exit = True
    for path in sorted(OUT.iterdir()):
        print(path.relative_to(ROOT))


if __name__ == "__main__":
    main()

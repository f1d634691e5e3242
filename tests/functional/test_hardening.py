"""Limits, locks and hostile input: clear 4xx/429/503 answers, never a 5xx, and recovery."""

import threading
import time
from dataclasses import replace

import pytest
from starlette.testclient import TestClient

from repository.app import create_app
from repository.db import Database
from tests.conftest import add_practices, record, sync


def test_search_and_api_are_rate_limited_per_address(settings, db):
    app = create_app(replace(settings, rate_limit_per_minute=5), database=db)
    with TestClient(app, base_url="https://testserver") as client:
        statuses = [client.get("/api/search").status_code for _ in range(5)]
        assert statuses == [200] * 5
        limited = client.get("/api/search")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0
        assert limited.json()["error"]["status"] == 429
        assert client.get("/search").status_code == 429
        assert client.get("/").status_code == 200  # pages outside search are not limited


@pytest.mark.parametrize(
    "path",
    [
        "/practices/" + "9" * 40,
        "/api/practices/" + "9" * 40,
        "/search?q=" + "x" * 5000,
        "/api/search?" + "&".join(["pillar=prevention"] * 3000),
        "/api/search?q=%ff%fe%00",
        "/search?page=" + "9" * 50,
        "/api/search?year_from=-1",
        "/countries/" + "A" * 300,
        "/submissions/" + "9" * 30,
    ],
)
def test_hostile_requests_get_4xx_never_5xx(client, path):
    response = client.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)


def test_deeply_nested_or_broken_json_gets_4xx(client):
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":', "\xff\xfe", "1" * 2_000_000):
        response = client.post(
            "/api/submissions",
            content=body.encode("utf-8", "surrogatepass"),
            headers={"content-type": "application/json", "authorization": "Bearer ph_x"},
        )
        assert 400 <= response.status_code < 500


def test_a_held_database_lock_gives_a_clean_503_then_recovers(settings, database_url, db):
    add_practices(db, record())
    quick = Database(database_url, lock_timeout=1.0)
    app = create_app(settings, database=quick)
    release, held = threading.Event(), threading.Event()

    def hold_lock():
        with db.write() as session:
            from sqlalchemy import text

            if db.is_sqlite:
                session.execute(text("UPDATE practice SET title = title"))
            else:
                session.execute(text("LOCK TABLE practice, rate_counter IN ACCESS EXCLUSIVE MODE"))
            held.set()
            release.wait(15)

    holder = threading.Thread(target=hold_lock)
    with TestClient(app, base_url="https://testserver") as client:
        holder.start()
        assert held.wait(10)  # the lock is taken before the request is sent
        page = client.get("/signin")
        from tests.conftest import csrf_from

        blocked = client.post(
            "/signin",
            data={
                "email": "x@y.example",
                "password": "wrong password!",
                "csrf_token": csrf_from(page.text),
            },
        )
        assert blocked.status_code == 503
        assert "try again" in blocked.text.lower() and blocked.headers["retry-after"] == "5"
        release.set()
        holder.join()
        again = client.post(
            "/signin",
            data={
                "email": "x@y.example",
                "password": "wrong password!",
                "csrf_token": csrf_from(page.text),
            },
        )
        assert again.status_code == 400  # an ordinary answer once the lock is gone
    quick.dispose()


def test_a_foreign_index_writer_never_breaks_searching_or_submitting(client, db, app):
    from whoosh import index as whoosh_index

    add_practices(db, record(title="Before the lock"))
    sync(app)
    ix = whoosh_index.open_dir(str(app.state.index.current_dir()))
    foreign = ix.writer()  # another process holding the index write lock
    try:
        add_practices(db, record(title="During the lock"))
        from search import IndexBusy

        with pytest.raises(IndexBusy):
            app.state.index_sync.catch_up()
        assert client.get("/search?q=lock").status_code == 200
        assert client.get("/api/search?q=before").json()["total"] == 1
    finally:
        foreign.cancel()
        ix.close()
    app.state.index_sync.catch_up()
    assert client.get("/api/search?q=lock").json()["total"] == 2


HOLD_LOCK = """
import sys, time
from whoosh import index
ix = index.open_dir(sys.argv[1])
writer = ix.writer()
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
writer.cancel()
"""


@pytest.mark.slow
def test_a_foreign_process_holding_the_index_lock(client, app, db):
    """Searching and submitting go on while another process holds the index write lock for 8 s
    (the background writer retries about 16 times meanwhile); the changes reach the index once
    it lets go."""
    import subprocess
    import sys

    from repository.indexing import IndexWorker

    add_practices(db, record(title="Published before"))
    sync(app)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(app.state.index.current_dir()), "8"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    worker = IndexWorker(app.state.index_sync, interval=0.5)
    worker.start()
    try:
        started = time.monotonic()
        n = 0
        while holder.poll() is None and time.monotonic() - started < 20:
            assert client.get("/search?q=published").status_code == 200
            add_practices(db, record(title=f"Published during {n}"))
            n += 1
            time.sleep(0.5)
        assert time.monotonic() - started >= 6 and n >= 10
        holder.wait(timeout=10)
        deadline = time.monotonic() + 15
        while client.get("/api/search?q=during").json()["total"] < n:
            assert time.monotonic() < deadline, "the index did not catch up after the lock"
            time.sleep(0.2)
    finally:
        worker.stop()
        holder.kill()


def test_brief_pdfs_are_limited_per_address(settings, db):
    from repository.operations import PDF_PER_MINUTE

    app = create_app(replace(settings, rate_limit_per_minute=600), database=db)
    with TestClient(app, base_url="https://testserver") as client:
        statuses = [client.get("/brief.pdf").status_code for _ in range(PDF_PER_MINUTE + 1)]
        # (The brief is empty, so each allowed request answers 404: the limit counts requests.)
        assert 429 not in statuses[:-1] and statuses[-1] == 429
        assert client.get("/brief").status_code == 200  # the brief page itself is not limited


def test_a_worker_makes_one_pdf_at_a_time_and_each_brief_once(client, db, monkeypatch):
    from repository.brief import pdf

    laid_out = []

    def slow(html, base_url):
        laid_out.append(html)
        time.sleep(1.0)
        return b"%PDF-1.7 test"

    monkeypatch.setattr(pdf, "_lay_out", slow)
    monkeypatch.setattr(pdf, "WAIT_SECONDS", 0.2)
    monkeypatch.setattr(pdf, "_cache", type(pdf._cache)())
    ids = add_practices(db, record(title="One"), record(title="Two"))
    sync(client.app)
    from starlette.testclient import TestClient as Client

    from tests.conftest import post_form

    browsers = {name: Client(client.app, base_url="https://testserver") for name in "ab"}
    results = {}
    for own, practice_id in zip(browsers.values(), ids, strict=True):
        own.__enter__()
        post_form(own, f"/practices/{practice_id}", "/brief/add", {"practice_id": practice_id})

    def fetch(name):
        results[name] = browsers[name].get("/brief.pdf")

    threads = [threading.Thread(target=fetch, args=(name,)) for name in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(r.status_code for r in results.values())
    assert statuses == [200, 503]
    busy = next(n for n, r in results.items() if r.status_code == 503)
    assert results[busy].headers["retry-after"] and "try again" in results[busy].text
    # The one turned away tries again: laid out now; and once more: from the cache.
    assert browsers[busy].get("/brief.pdf").status_code == 200
    assert browsers[busy].get("/brief.pdf").status_code == 200
    for own in browsers.values():
        own.__exit__(None, None, None)
    assert len(laid_out) == 2

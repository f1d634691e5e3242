"""No view blocks the event loop: a slow database call in one request does not hold up others."""

import inspect
import time

import anyio
import httpx2
from starlette.routing import Route

from repository.accounts import services as accounts
from repository.practices import queries
from tests.conftest import add_practices, record, sync

SLOW = 1.0


def _timed_pair(app, slow_request, fast_path: str) -> tuple[float, float]:
    """Send the slow request, then a fast one while it runs; when each finished (seconds)."""
    finished = {}

    async def main():
        transport = httpx2.ASGITransport(app=app)
        # Warm the fast path first (templates, thesaurus, index snapshot), in a client of its own
        # so no cookie of it mixes in: the timing then measures waiting on the event loop, not
        # first-use work on a busy CI machine.
        async with httpx2.AsyncClient(transport=transport, base_url="https://testserver") as warm:
            assert (await warm.get(fast_path)).status_code == 200
        async with httpx2.AsyncClient(transport=transport, base_url="https://testserver") as c:
            started = time.perf_counter()

            async def slow():
                response = await slow_request(c)
                finished["slow"] = (time.perf_counter() - started, response.status_code)

            async def fast():
                await anyio.sleep(0.1)  # the slow one is inside its database call by now
                response = await c.get(fast_path)
                finished["fast"] = (time.perf_counter() - started, response.status_code)

            async with anyio.create_task_group() as group:
                group.start_soon(slow)
                group.start_soon(fast)

    anyio.run(main)
    assert finished["fast"][1] == 200
    return finished["slow"][0], finished["fast"][0]


def test_a_slow_page_query_does_not_stall_a_search(app, client, db, monkeypatch):
    add_practices(db, record(title="Shelter network"))
    sync(app)
    real = queries.home_figures

    def slow_home(database):
        time.sleep(SLOW)
        return real(database)

    monkeypatch.setattr(queries, "home_figures", slow_home)
    slow, fast = _timed_pair(app, lambda c: c.get("/"), "/search?q=shelter")
    assert slow >= SLOW
    # Had the slow view held the event loop, the fast request (sent 0.1 s in) would finish after it.
    assert fast < slow - 0.2


def test_a_slow_sign_in_does_not_stall_other_pages(app, client, monkeypatch):
    def slow_check(*args):
        time.sleep(SLOW)
        return None

    monkeypatch.setattr(accounts, "sign_in_check", slow_check)
    page = client.get("/signin")
    cookies = dict(client.cookies)
    from tests.conftest import csrf_from

    token = csrf_from(page.text)

    def post(c):
        c.cookies.update(cookies)
        return c.post(
            "/signin", data={"email": "a@b.example", "password": "x" * 12, "csrf_token": token}
        )

    slow, fast = _timed_pair(app, post, "/practices")
    assert slow >= SLOW
    # Had the slow view held the event loop, the fast request (sent 0.1 s in) would finish after it.
    assert fast < slow - 0.2


def test_every_endpoint_runs_in_the_threadpool(app):
    """Plain `def` endpoints run in the threadpool; async ones only read the body first."""
    allowed_async = {"submit_draft"}  # reads the JSON body, then runs its work in the threadpool
    for route in app.routes:
        if not isinstance(route, Route):
            continue
        endpoint = route.endpoint
        if inspect.iscoroutinefunction(endpoint):
            assert getattr(endpoint, "runs_in_threadpool", False) or (
                endpoint.__name__ in allowed_async
            ), route.path


def test_a_slow_partner_page_does_not_stall_the_search(app, client, db, monkeypatch):
    """The edit page once read the database inside an `async def` view, on the event loop."""
    from repository.submissions import services as submissions
    from tests.conftest import make_user, sign_in

    make_user(db, "partner@ngo.example", organisation="Some NGO")
    sign_in(client, "partner@ngo.example")
    draft = client.post(
        "/submissions/new",
        data={"title": "Draft", "csrf_token": _token(client, "/submissions/new")},
        follow_redirects=False,
    )
    edit_path = draft.headers["location"]
    cookies = dict(client.cookies)
    real = submissions.editable

    def slow_editable(*args):
        time.sleep(SLOW)
        return real(*args)

    monkeypatch.setattr(submissions, "editable", slow_editable)

    def get_edit(c):
        c.cookies.update(cookies)
        return c.get(edit_path)

    slow, fast = _timed_pair(app, get_edit, "/search?q=shelter")
    assert slow >= SLOW
    # Had the slow view held the event loop, the fast request (sent 0.1 s in) would finish after it.
    assert fast < slow - 0.2


def _token(client, path: str) -> str:
    from tests.conftest import csrf_from

    return csrf_from(client.get(path).text)

"""Every public route while the index is unavailable: 503 with Retry-After where the answer
needs the index, the page without its index-fed parts where it does not; never a 500."""

import pytest
from starlette.routing import Route

from search import SearchIndex
from tests.conftest import add_practices, record

NEEDS_INDEX = {
    "/search",
    "/api/search",
    "/api/practices",
    "/api/facets",
    "/search.csv",
    "/search.json",
    "/search.atom",
    "/feeds/new.atom",
}
STANDS_WITHOUT_INDEX = {"/", "/practices", "/practices/{practice_id:int}", "/countries/{code:str}"}


@pytest.fixture
def broken(app, client, db, tmp_path):
    [practice_id] = add_practices(db, record(countries=["NGA"]))
    # As after a crash that took the index directory with it, before any rebuild.
    app.state.index.close()
    app.state.index = SearchIndex(tmp_path / "gone")
    return practice_id


def _public_get_paths(app, practice_id: int) -> dict[str, str]:
    values = {"practice_id": practice_id, "code": "NGA"}
    paths = {}
    for route in app.routes:
        if not isinstance(route, Route) or "GET" not in (route.methods or ()):
            continue
        if set(route.param_convertors) - set(values):
            continue  # pages of objects that are not public (drafts, updates, users)
        params = {k: v for k, v in values.items() if k in route.param_convertors}
        paths[route.path] = str(app.url_path_for(route.name, **params))
    return paths


def test_every_public_route_answers_503_or_stands_without_the_index(app, client, broken):
    paths = _public_get_paths(app, broken)
    assert set(paths) >= NEEDS_INDEX | STANDS_WITHOUT_INDEX
    for template, path in paths.items():
        response = client.get(path)
        assert response.status_code != 500, path
        if template in NEEDS_INDEX:
            assert response.status_code == 503, path
            assert response.headers["retry-after"] == "30", path
            if path.startswith("/api/"):
                assert response.json()["error"]["status"] == 503
            else:
                assert "try again" in response.text.lower()
        if template in STANDS_WITHOUT_INDEX:
            assert response.status_code == 200, path

"""Headers on every response, request ids in logs and on error pages, health and readiness."""

import json
import logging

import pytest

from repository import migrations
from tests.conftest import add_practices, record

CSP_PARTS = (
    "default-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "script-src 'self'",
    "style-src 'self'",
)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/search?q=x"),
        ("GET", "/api/search"),
        ("GET", "/api/search?page=0"),
        ("GET", "/nowhere"),
        ("GET", "/static/site.css"),
        ("GET", "/search.csv"),
        ("GET", "/brief.txt"),
        ("POST", "/signin"),
        ("GET", "/healthz"),
    ],
)
def test_every_response_carries_the_security_headers(client, method, path):
    response = client.request(method, path)
    csp = response.headers["content-security-policy"]
    assert all(part in csp for part in CSP_PARTS)
    assert "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" in response.headers  # the test client speaks https
    assert len(response.headers["x-request-id"]) == 16
    assert "access-control-allow-origin" not in response.headers


def test_no_cors_header_reflects_an_origin(client):
    response = client.get("/api/search", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in response.headers


def test_no_inline_scripts_or_styles_in_pages(client, db):
    import re

    add_practices(db, record())
    for path in ("/", "/search", "/practices", "/signin", "/register", "/coverage", "/brief"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), path
        assert "<style" not in html and " style=" not in html, path


def test_one_log_line_per_request_without_query_or_secrets(client, caplog):
    with caplog.at_level(logging.INFO, logger="repository.requests"):
        response = client.get(
            "/search?q=secret+words", headers={"Cookie": "practices_session=zzqq"}
        )
    lines = [json.loads(r.message) for r in caplog.records if r.name == "repository.requests"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == response.headers["x-request-id"]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/search", 200)
    assert "secret" not in caplog.text and "zzqq" not in caplog.text


def test_an_error_shows_the_request_id_that_is_in_the_log(client, monkeypatch, caplog):
    from repository.practices import queries

    monkeypatch.setattr(queries, "count_published", lambda *a: 1 / 0)
    with caplog.at_level(logging.INFO):
        response = client.get("/")
    assert response.status_code == 500
    reference = response.headers["x-request-id"]
    assert reference in response.text
    assert reference in caplog.text and "ZeroDivisionError" in caplog.text
    assert "ZeroDivisionError" not in response.text


def test_health_and_readiness(client, app):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {
        "database": "ok",
        "migrations": "ok",
        "index": "ok",
    }


def test_not_ready_when_the_index_falls_behind(client, app, db):
    add_practices(db, *[record(title=f"P{i}") for i in range(101)])
    response = client.get("/readyz")
    assert response.status_code == 503 and "behind" in response.json()["checks"]["index"]
    app.state.index_sync.catch_up()
    assert client.get("/readyz").status_code == 200


def test_an_app_on_a_database_behind_the_migrations_refuses_to_start(settings, db):
    from starlette.testclient import TestClient

    from repository.app import create_app

    migrations.downgrade(db.engine, "0001")
    try:
        app = create_app(settings, database=db)
        with pytest.raises(RuntimeError, match="practices db upgrade"), TestClient(app):
            pass
    finally:
        migrations.upgrade(db.engine)

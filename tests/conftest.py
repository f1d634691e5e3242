"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
PRACTICES_TEST_DATABASE_URL is set), emptied after every test, and an app on it."""

import json
import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from repository import migrations
from repository.app import create_app
from repository.db import Database
from repository.models import Base
from repository.practices.interchange import import_lines
from repository.settings import Settings

# The suite runs Universal Sentence Encoder alone. Its tests build hundreds of small indexes of
# new texts, and e5 (the default blend's second model) takes about 85 ms a passage against USE's
# 5: the suite ran several times slower with it. The blend itself is tested by
# tests/unit/test_blend.py, and the default is what benchmarks/ measure.
os.environ.setdefault("PRACTICES_SEMANTIC", "use")

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "seed" / "practices.jsonl"
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def pytest_report_header(config):
    return (
        f"database: {'PostgreSQL' if os.environ.get('PRACTICES_TEST_DATABASE_URL') else 'SQLite'}"
    )


def pytest_collection_modifyitems(config, items):
    """On PostgreSQL, run only the tests that reach a database. The others (text analysis,
    catalogues, the scoring oracle...) would run exactly the code they ran on SQLite again, and
    CI has 15 minutes for both databases."""
    if not os.environ.get("PRACTICES_TEST_DATABASE_URL"):
        return
    keep, drop = [], []
    for item in items:
        (keep if "database_url" in getattr(item, "fixturenames", ()) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session")
def database_url(tmp_path_factory, worker_id) -> str:
    url = os.environ.get("PRACTICES_TEST_DATABASE_URL")
    if url:
        return url if worker_id == "master" else _worker_database(url, worker_id)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


def _worker_database(url: str, worker_id: str) -> str:
    """Each pytest-xdist worker gets its own PostgreSQL database beside the one named."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    base = make_url(url)
    own = base.set(database=f"{base.database}_{worker_id}")
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": own.database}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{own.database}"'))
    admin.dispose()
    return own.render_as_string(hide_password=False)


def reset_schema(database: Database) -> None:
    """Drop everything and build the schema with the migrations, as production does."""
    with database.engine.begin() as connection:
        if database.is_sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        Base.metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    migrations.upgrade(database.engine)


@pytest.fixture(scope="session")
def migrated_db(database_url) -> Database:
    database = Database(database_url)
    reset_schema(database)
    yield database
    database.dispose()


def empty_tables(database: Database) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with database.engine.begin() as connection:
        if database.is_sqlite:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))
        else:
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
def db(migrated_db) -> Database:
    yield migrated_db
    empty_tables(migrated_db)


def settings_for(database_url: str, directory: Path) -> Settings:
    return Settings(
        database_url=database_url,
        index_dir=directory / "index",
        upload_dir=directory / "uploads",
        secret_key=TEST_SECRET,
        debug=False,
        index_poll_seconds=0,  # tests apply the outbox themselves, when they choose
        rate_limit_per_minute=0,  # tested on its own in test_hardening
    )


@pytest.fixture
def settings(database_url, tmp_path) -> Settings:
    return settings_for(database_url, tmp_path)


@contextmanager
def shared_app(database: Database, directory: Path, lines: list[str]):
    """An app whose database holds these practices, for a module of tests that share it
    (importing and indexing for each test took most of their time). The tables are emptied
    before and after, as the `db` fixture leaves them; those tests must not use `db`
    themselves, nor write what another test of the module would see."""
    empty_tables(database)
    try:
        report = import_lines(database, lines)
        assert not report.errors, report.errors[:3]
        yield create_app(settings_for(database.url, directory), database=database)
    finally:
        empty_tables(database)


@contextmanager
def shared_client(database: Database, directory: Path, lines: list[str]):
    """A test client on a shared_app, its practices indexed once."""
    with (
        shared_app(database, directory, lines) as app,
        TestClient(app, base_url="https://testserver", raise_server_exceptions=False) as client,
    ):
        sync(app)
        yield client


@pytest.fixture
def app(settings, db):
    return create_app(settings, database=db)


@pytest.fixture
def client(app):
    # https: the session cookie is Secure outside debug, as in production.
    with TestClient(
        app, base_url="https://testserver", raise_server_exceptions=False
    ) as test_client:
        yield test_client


def sync(app) -> None:
    """Apply pending outbox entries to the app's index, as its background writer would."""
    app.state.index_sync.catch_up()


def seed_lines() -> list[str]:
    return SEED_FILE.read_text(encoding="utf-8").splitlines()


# The first 48 lines are the original seed practices: the functional tests' queries and expected
# answers were written against them, and loading 48 instead of the whole collection keeps those
# tests' setup short. The whole collection is checked by test_seed_data and the round trip.
SAMPLE_LINES = 48


def sample_seed_lines() -> list[str]:
    return seed_lines()[:SAMPLE_LINES]


@pytest.fixture
def seeded(db) -> Database:
    report = import_lines(db, seed_lines())
    assert not report.errors, report.errors[:3]
    return db


def record(**overrides) -> dict:
    """A valid practice record in the JSON Lines format."""
    base = {
        "title": "Regional hotline for migrant domestic workers",
        "summary": "A multilingual hotline that refers migrant domestic workers to shelters.",
        "description": "The hotline runs **around the clock** in five languages.",
        "results": "Answered calls from several countries.",
        "lessons_learned": "Trusted NGOs made the hotline known.",
        "organisation": "Migrant Workers Support Network",
        "partner_organisations": ["Ministry of Labour"],
        "actor_types": ["ngo", "government"],
        "countries": ["PHL", "SGP"],
        "pillars": ["protection"],
        "exploitation_forms": ["forced_labour"],
        "target_groups": ["migrant_workers", "women"],
        "instruments": ["palermo_protocol"],
        "practice_type": "victim_services",
        "evidence": "self_assessed",
        "start_year": 2006,
        "end_year": None,
        "language": "en",
        "sources": [{"title": "Annual report", "url": "https://example.org/report"}],
        "status": "published",
    }
    base.update(overrides)
    return base


def add_practices(database: Database, *records: dict) -> list[int]:
    """Import records through the service layer and return their ids in order."""
    from sqlalchemy import select

    from repository.models import Practice

    with database.read() as session:
        before = set(session.scalars(select(Practice.id)))
    report = import_lines(database, [json.dumps(r) for r in records])
    assert not report.errors, report.errors
    with database.read() as session:
        after = session.scalars(select(Practice.id).order_by(Practice.id)).all()
    return [i for i in after if i not in before]


PASSWORD = "correct horse battery staple"


def make_user(
    database: Database,
    email: str,
    role: str = "partner",
    organisation: str | None = None,
    active: bool = True,
):
    from repository.accounts.services import create_user

    with database.write() as session:
        user = create_user(
            session,
            email=email,
            name=email.split("@")[0].title(),
            password=PASSWORD,
            role=role,
            organisation_name=organisation,
            active=active,
        )
        return user.id


def csrf_from(html: str) -> str:
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, email: str, password: str = PASSWORD):
    page = client.get("/signin")
    response = client.post(
        "/signin",
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf_from(page.text),
            "next": "/",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]
    return response


def post_form(client, page_url: str, action_url: str, data: dict, files=None, **kwargs):
    """Submit a form the way a browser does: GET the page for its CSRF token, then POST."""
    token = csrf_from(client.get(page_url).text)
    return client.post(
        action_url,
        data={**data, "csrf_token": token},
        files=files,
        follow_redirects=False,
        **kwargs,
    )

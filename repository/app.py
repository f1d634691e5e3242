"""The application factory: joins the features' routes, middleware and the lifespan."""

import logging
import time
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from repository import errors, links, migrations, operations, outbox
from repository.accounts import views as accounts
from repository.accounts.services import prune_expired
from repository.api import views as api
from repository.brief import views as brief
from repository.coverage import views as coverage
from repository.db import Database
from repository.discovery import views as discovery
from repository.discovery.services import MissLog
from repository.indexing import IndexSync, IndexWorker, check_permissions, start_up_repair
from repository.languages import views as languages
from repository.languages.middleware import LanguageMiddleware
from repository.mail import digests
from repository.mail import views as mail
from repository.mail.sender import MailSender, MailWorker
from repository.operations import RateLimit, RequestLogAndHeaders
from repository.practices import views as practices
from repository.review import views as review
from repository.security import BodySizeLimit
from repository.settings import Settings
from repository.submissions import views as submissions
from repository.templating import make_templates
from search import SearchIndex

STATIC_DIR = Path(__file__).parent / "static"
PRUNE_SECONDS = 60  # expired sessions and attempt counters
HEARTBEAT_SECONDS = 5  # this node's outbox position, for pruning and the other nodes' /readyz
PRUNE_OUTBOX_SECONDS = 600
FEATURES = (
    practices,
    discovery,
    submissions,
    review,
    brief,
    coverage,
    api,
    accounts,
    mail,
    languages,
    operations,
)
log = logging.getLogger(__name__)


def routes() -> list:
    joined = [route for feature in FEATURES for route in feature.routes]
    return [*joined, Mount("/static", StaticFiles(directory=STATIC_DIR), name="static")]


def every(seconds: float, function):
    """A chore for the index writer's thread that runs `function` at most every `seconds`."""
    last = {"at": float("-inf")}

    def chore():
        if time.monotonic() - last["at"] >= seconds:
            last["at"] = time.monotonic()
            function()

    return chore


def report_position(app: Starlette) -> None:
    """Record how far this node's index has applied the outbox (not while it has none)."""
    index = app.state.index
    if index.current_dir() is not None and not index.damage:
        outbox.record_position(app.state.db, app.state.node_name, index.applied_seq())


def prune_outbox(db: Database, settings: Settings) -> int:
    return outbox.prune(
        db,
        retention=timedelta(days=settings.outbox_retention_days),
        node_timeout=timedelta(hours=settings.node_timeout_hours),
    )


def create_app(settings: Settings | None = None, database: Database | None = None) -> Starlette:
    settings = (settings or Settings.from_env()).checked()

    @asynccontextmanager
    async def lifespan(app: Starlette):
        current = migrations.current_revision(app.state.db.engine)
        if current != migrations.head_revision():
            raise RuntimeError(
                f"The database is at migration {current}, but this version needs "
                f"{migrations.head_revision()}: run 'practices db upgrade' first."
            )
        # The index is derived from the database: bring it up to date (or rebuild it) first,
        # unless another writer holds it (another worker, `practices reindex`). Then the
        # background writer repairs it as soon as it can: failing start-up here would stop
        # uvicorn and every worker with it.
        check_permissions(settings.index_dir)
        repaired = start_up_repair(app.state.index_sync)
        report_position(app)
        worker = None
        if settings.index_poll_seconds > 0:
            worker = IndexWorker(
                app.state.index_sync,
                interval=settings.index_poll_seconds,
                chores=(
                    lambda: app.state.misses.flush(app.state.db),
                    every(PRUNE_SECONDS, lambda: prune_expired(app.state.db)),
                    every(HEARTBEAT_SECONDS, lambda: report_position(app)),
                    every(PRUNE_OUTBOX_SECONDS, lambda: prune_outbox(app.state.db, settings)),
                ),
                repair_first=not repaired,
            )
            worker.start()
        app.state.index_worker = worker
        mailer = None
        if settings.sends_mail and settings.mail_poll_seconds > 0:
            mailer = MailWorker(
                app.state.mail_sender,
                chores=(lambda: digests.run_due(app.state.db, app.state.index, settings),),
                interval=settings.mail_poll_seconds,
            )
            mailer.start()
        app.state.mail_worker = mailer
        yield
        if mailer is not None:
            mailer.stop()
        if worker is not None:
            worker.stop()
        app.state.misses.flush(app.state.db)
        app.state.index.close()
        if database is None:
            app.state.db.dispose()

    app = Starlette(
        debug=settings.debug,
        routes=routes(),
        middleware=[
            Middleware(RequestLogAndHeaders),
            Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)),
            Middleware(BodySizeLimit),
            Middleware(RateLimit, per_minute=settings.rate_limit_per_minute),
            Middleware(
                SessionMiddleware,
                secret_key=settings.secret_key,
                session_cookie="practices_session",
                max_age=14 * 24 * 3600,
                same_site="lax",
                https_only=not settings.debug,
            ),
            # Inside the session: a signed-in account's language is kept there.
            Middleware(LanguageMiddleware),
        ],
        exception_handlers=errors.handlers(),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database or Database(settings.database_url)
    app.state.templates = make_templates(settings.debug)
    app.state.index = SearchIndex(settings.index_dir)
    app.state.index_sync = IndexSync(app.state.db, app.state.index)
    app.state.node_name = settings.index_node_name
    app.state.index_worker = None
    app.state.misses = MissLog()
    app.state.route_paths = {}  # templating.route_path remembers url_path_for answers here
    app.state.mail_sender = MailSender(
        app.state.db,
        settings,
        lambda reference: links.resolve(app, reference),
        app.state.templates.env,
    )
    app.state.mail_worker = None
    return app

"""The application factory."""

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from repository import (
    api,
    brief_views,
    coverage,
    errors,
    migrations,
    open_data,
    operations,
    pages,
    review,
    search_views,
    submissions,
)
from repository.accounts import views as accounts
from repository.db import Database
from repository.indexing import IndexSync, IndexWorker
from repository.operations import RateLimit, RequestLogAndHeaders
from repository.security import BodySizeLimit
from repository.settings import Settings
from repository.templating import make_templates
from search import SearchIndex

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger(__name__)


def routes() -> list:
    return [
        Route("/", pages.home, name="home"),
        Route("/healthz", operations.healthz),
        Route("/readyz", operations.readyz),
        Route("/practices", pages.practice_list, name="practice_list"),
        Route("/practices/{practice_id:int}", pages.practice_detail, name="practice_detail"),
        Route("/search", search_views.search_page, name="search"),
        Route("/api/search", search_views.search_api, name="api_search"),
        Route("/api/practices/{practice_id:int}", search_views.practice_api, name="api_practice"),
        # accounts
        Route("/register", accounts.register, methods=["GET", "POST"]),
        Route("/signin", accounts.signin, methods=["GET", "POST"]),
        Route("/signout", accounts.signout, methods=["POST"]),
        Route("/account/password", accounts.change_password, methods=["GET", "POST"]),
        Route("/account/notifications", accounts.notifications),
        Route("/account/notifications/read", accounts.mark_notifications_read, methods=["POST"]),
        Route("/admin/users", accounts.users),
        Route("/admin/users/{user_id:int}", accounts.user_action, methods=["POST"]),
        # partners
        Route("/submissions", submissions.my_submissions),
        Route("/submissions/new", submissions.new_submission, methods=["GET", "POST"]),
        Route("/submissions/{item_id:int}", submissions.submission_detail),
        Route(
            "/submissions/{item_id:int}/edit", submissions.edit_submission, methods=["GET", "POST"]
        ),
        Route(
            "/submissions/{item_id:int}/submit", submissions.submit_check, methods=["GET", "POST"]
        ),
        Route(
            "/submissions/{item_id:int}/attachments",
            submissions.upload_attachment,
            methods=["POST"],
        ),
        Route("/submissions/updates/{item_id:int}", submissions.submission_detail),
        Route(
            "/submissions/updates/{item_id:int}/edit",
            submissions.edit_submission,
            methods=["GET", "POST"],
        ),
        Route(
            "/submissions/updates/{item_id:int}/submit",
            submissions.submit_check,
            methods=["GET", "POST"],
        ),
        Route("/attachments/{attachment_id:int}", submissions.download_attachment),
        Route(
            "/attachments/{attachment_id:int}/delete",
            submissions.delete_attachment,
            methods=["POST"],
        ),
        Route(
            "/practices/{practice_id:int}/propose-update",
            submissions.propose_update,
            methods=["POST"],
        ),
        # curators
        Route("/review", review.queue),
        Route("/review/practices/{item_id:int}", review.detail),
        Route("/review/practices/{item_id:int}/decision", review.decide, methods=["POST"]),
        Route("/review/updates/{item_id:int}", review.detail),
        Route("/review/updates/{item_id:int}/decision", review.decide, methods=["POST"]),
        Route("/practices/{practice_id:int}/revisions", review.revisions),
        # delegates and open data
        Route("/brief", brief_views.page),
        Route("/brief.txt", brief_views.text),
        Route("/brief.pdf", brief_views.pdf),
        Route("/brief/add", brief_views.add, methods=["POST"]),
        Route("/brief/change", brief_views.change, methods=["POST"]),
        Route("/search.atom", open_data.atom_feed),
        Route("/feeds/new.atom", open_data.atom_feed),
        Route("/search.csv", open_data.export_csv),
        Route("/search.json", open_data.export_json),
        Route("/countries", coverage.countries_index),
        Route("/countries/{code:str}", coverage.country_page),
        Route("/coverage", coverage.coverage),
        Route("/api/brief", brief_views.as_json),
        Route("/api/practices", api.practices),
        Route("/api/facets", api.facets),
        Route("/api/vocabularies", api.vocabularies),
        Route("/api/countries", api.countries),
        Route("/api/openapi.json", api.openapi),
        Route("/api/docs", api.docs),
        Route("/api/submissions", api.submit_draft, methods=["POST"]),
        Route("/api/submissions/{practice_id:int}", api.submission),
        Route("/account/tokens", api.tokens_page),
        Route("/account/tokens", api.tokens_change, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]


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
        # The index is derived from the database: bring it up to date (or rebuild it) first.
        app.state.index_sync.repair()
        worker = None
        if settings.index_poll_seconds > 0:
            worker = IndexWorker(app.state.index_sync, interval=settings.index_poll_seconds)
            worker.start()
        app.state.index_worker = worker
        yield
        if worker is not None:
            worker.stop()
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
        ],
        exception_handlers=errors.handlers(),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.db = database or Database(settings.database_url)
    app.state.templates = make_templates(settings.debug)
    app.state.index = SearchIndex(settings.index_dir)
    app.state.index_sync = IndexSync(app.state.db, app.state.index)
    app.state.index_worker = None
    return app

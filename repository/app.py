"""The application factory."""

import logging
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from repository import errors, pages, search_views
from repository.db import Database
from repository.indexing import IndexSync, IndexWorker
from repository.settings import Settings
from repository.templating import make_templates
from search import SearchIndex

STATIC_DIR = Path(__file__).parent / "static"
log = logging.getLogger(__name__)


def routes() -> list:
    return [
        Route("/", pages.home, name="home"),
        Route("/practices", pages.practice_list, name="practice_list"),
        Route("/practices/{practice_id:int}", pages.practice_detail, name="practice_detail"),
        Route("/search", search_views.search_page, name="search"),
        Route("/api/search", search_views.search_api, name="api_search"),
        Route("/api/practices/{practice_id:int}", search_views.practice_api, name="api_practice"),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def create_app(settings: Settings | None = None, database: Database | None = None) -> Starlette:
    settings = (settings or Settings.from_env()).checked()

    @asynccontextmanager
    async def lifespan(app: Starlette):
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
        middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts))],
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

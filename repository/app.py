"""The application factory."""

import logging
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from repository import errors, pages
from repository.db import Database
from repository.settings import Settings
from repository.templating import make_templates

STATIC_DIR = __import__("pathlib").Path(__file__).parent / "static"
log = logging.getLogger(__name__)


def routes() -> list:
    return [
        Route("/", pages.home, name="home"),
        Route("/practices", pages.practice_list, name="practice_list"),
        Route("/practices/{practice_id:int}", pages.practice_detail, name="practice_detail"),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]


def create_app(settings: Settings | None = None, database: Database | None = None) -> Starlette:
    settings = (settings or Settings.from_env()).checked()

    @asynccontextmanager
    async def lifespan(app: Starlette):
        yield
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
    return app

"""What an operator needs from every response and from the app as a whole: security headers,
one structured log line per request with a request id, health and readiness checks."""

import json
import logging
import secrets
import time
from datetime import timedelta

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from repository import migrations, outbox
from repository.models import utcnow

log = logging.getLogger("repository.requests")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
OVERRIDABLE = {b"content-security-policy", b"x-frame-options"}
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
INDEX_LAG_BOUND = 100  # outbox entries the index may trail by and still be ready


class RequestLogAndHeaders:
    """Adds the security headers to every response (pages, JSON, errors, files), gives each
    request an id (X-Request-ID, also in the log line and on error pages), and logs one line."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        request_id = secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = {"code": 500}
        https = scope.get("scheme") == "https"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                given = message.get("headers", [])
                # A response may set a stricter policy of its own for what it serves (an
                # evidence file shown sandboxed); every other header is the site's.
                own = {h[0].lower() for h in given} & OVERRIDABLE
                headers = [
                    h
                    for h in given
                    if h[0].lower() in own
                    or h[0].lower() not in {name for name, _ in SECURITY_HEADERS}
                ]
                headers += [h for h in SECURITY_HEADERS if h[0] not in own]
                headers.append((b"x-request-id", request_id.encode()))
                if https:
                    headers.append(HSTS)
                message = {**message, "headers": headers}
            await send(message)

        started_response = {"sent": False}

        async def tracking_send(message):
            if message["type"] == "http.response.start":
                started_response["sent"] = True
            await send_with_headers(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            # Answer here rather than in Starlette's outermost handler, so the error page too
            # carries the headers and the request id; the traceback goes to the log only.
            logging.getLogger("repository.errors").exception("request %s failed", request_id)
            if started_response["sent"]:
                raise
            from repository.errors import plain_server_error

            status["code"] = 500
            response = plain_server_error(scope, request_id)
            await response(scope, receive, send_with_headers)
        finally:
            # Method, path and status only: never query strings, bodies, cookies or tokens.
            log.info(
                json.dumps(
                    {
                        "request_id": request_id,
                        "method": scope.get("method"),
                        "path": scope.get("path"),
                        "status": status["code"],
                        "ms": round((time.perf_counter() - started) * 1000, 1),
                    }
                )
            )


def request_id(request: Request) -> str:
    return request.scope.get("state", {}).get("request_id", "")


def healthz(request: Request) -> Response:
    """The process is up."""
    return JSONResponse({"status": "ok"})


def readiness(app) -> tuple[bool, dict]:
    checks = {}
    try:
        with app.state.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
        current, head = migrations.current_revision(app.state.db.engine), migrations.head_revision()
        checks["migrations"] = "ok" if current == head else f"at {current}, head is {head}"
    except Exception as error:  # any failure to reach the database means not ready
        checks["database"] = f"unreachable: {type(error).__name__}"
        return False, checks
    checks["index"] = _index_check(app)
    return all(value == "ok" for value in checks.values()), checks


def _index_check(app) -> str:
    """Ready when the index exists, is not known to be damaged, trails the outbox by little,
    and its writer's last round succeeded (a failing writer once hid behind "ok")."""
    index, worker = app.state.index, app.state.index_worker
    try:
        if not index.exists():
            return "missing"
        if index.damage:
            return f"damaged, being rebuilt: {index.damage}"
        if worker is not None and worker.problem:
            return f"writer failing: {worker.problem}"
        lag = app.state.index_sync.latest_seq() - index.applied_seq()
        return "ok" if lag <= INDEX_LAG_BOUND else f"{lag} changes behind"
    except Exception as error:
        return f"unreadable: {type(error).__name__}"


def _outbox_report(app) -> dict | None:
    """This node's lag behind the outbox, and every node's position as last recorded."""
    settings, index = app.state.settings, app.state.index
    now = utcnow()
    try:
        applied = index.applied_seq()
        nodes = outbox.positions(app.state.db)
        timeout = timedelta(hours=settings.node_timeout_hours)
        return {
            "node": app.state.node_name,
            "position": applied,
            "behind": outbox.lag(app.state.db, applied, now),
            "nodes": [node.to_dict(now, timeout) for node in nodes],
        }
    except Exception as error:  # a report, not a check: never turns readiness into a 500
        return {"error": type(error).__name__}


def readyz(request: Request) -> Response:
    """Database reachable, migrations at head, index caught up with the outbox within a bound."""
    ready, checks = readiness(request.app)
    return JSONResponse(
        {
            "status": "ready" if ready else "not ready",
            "checks": checks,
            "outbox": _outbox_report(request.app) if checks["database"] == "ok" else None,
            # Search by meaning is an addition: without it search runs on words, still ready.
            "semantic_search": request.app.state.index.semantic_status(),
        },
        status_code=200 if ready else 503,
    )


RATE_LIMITED_PREFIXES = ("/search", "/api/")
# Laying out a PDF costs as much as hundreds of searches: few per address and minute.
PDF_PATH, PDF_PER_MINUTE = "/brief.pdf", 6


class RateLimit:
    """Requests per client address and minute for search, the API and (fewer) brief PDFs;
    over it 429 + Retry-After.

    Counted in memory per worker (a moving window from the `limits` library), so a public read
    never writes to the database. With N workers a client may reach N times the limit; a
    deployment that needs one shared limit sets it at the reverse proxy (docs/operations.md).
    Sign-in throttling stays in the database, where it survives restarts.
    """

    def __init__(self, app, per_minute: int):
        from limits import RateLimitItemPerMinute
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        self.app = app
        self.per_minute = per_minute
        self.item = RateLimitItemPerMinute(max(per_minute, 1))
        self.pdf_item = RateLimitItemPerMinute(min(PDF_PER_MINUTE, max(per_minute, 1)))
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or self.per_minute <= 0:
            return await self.app(scope, receive, send)
        if scope["path"] == PDF_PATH:
            item, kind = self.pdf_item, "pdf"
        elif scope["path"].startswith(RATE_LIMITED_PREFIXES):
            item, kind = self.item, "requests"
        else:
            return await self.app(scope, receive, send)
        address = (scope.get("client") or ("unknown", 0))[0]
        if not self.limiter.hit(item, kind, address):
            reset, _remaining = self.limiter.get_window_stats(item, kind, address)
            retry = str(max(1, int(reset - time.time()) + 1))
            message = "Too many requests from your address; try again in a minute."
            if scope["path"].startswith("/api/"):
                response = JSONResponse(
                    {"error": {"status": 429, "message": message}},
                    429,
                    headers={"Retry-After": retry},
                )
            else:
                response = Response(
                    message, 429, headers={"Retry-After": retry}, media_type="text/plain"
                )
            return await response(scope, receive, send)
        return await self.app(scope, receive, send)


routes = [
    Route("/healthz", healthz, name="healthz"),
    Route("/readyz", readyz, name="readyz"),
]

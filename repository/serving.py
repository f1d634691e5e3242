"""Serving with uvicorn: which proxies to believe, what to log, and an exit status a service
manager can act on.

- Forwarded headers (X-Forwarded-For, -Proto) are read only from the proxies the operator names
  (PRACTICES_FORWARDED_ALLOW_IPS or --forwarded-allow-ips). Trusting any local client let one
  rotate the header past every per-address limit.
- Uvicorn's access log is off: it wrote full query strings and the addresses clients claimed.
  The app's own JSON line per request (operations.RequestLogAndHeaders) goes to standard output.
- With several workers, uvicorn's supervisor stops when a worker fails to start and returns as
  if asked to; `practices serve` then exits 1, so `Restart=on-failure` brings it back. It exits
  0 only when stopped by a signal.
"""

import copy
import logging

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.supervisors import Multiprocess

APP = "repository.app:create_app"
STOPPED_BY_SELF = 1


def log_config() -> dict:
    config = copy.deepcopy(LOGGING_CONFIG)
    config["formatters"]["line"] = {"format": "%(message)s"}
    config["formatters"]["app"] = {"format": "%(levelname)s %(name)s: %(message)s"}
    config["handlers"]["requests"] = {
        "formatter": "line",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
    }
    config["handlers"]["app"] = {
        "formatter": "app",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["repository"] = {"handlers": ["app"], "level": "INFO", "propagate": False}
    config["loggers"]["repository.requests"] = {
        "handlers": ["requests"],
        "level": "INFO",
        "propagate": False,
    }
    return config


def make_config(
    host: str, port: int, workers: int, forwarded_allow_ips: tuple[str, ...] = ()
) -> uvicorn.Config:
    return uvicorn.Config(
        APP,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(forwarded_allow_ips),
        forwarded_allow_ips=list(forwarded_allow_ips) or None,
        access_log=False,
        log_config=log_config(),
        log_level="info",
    )


class _Supervisor(Multiprocess):
    """Uvicorn's worker supervisor, remembering whether a signal or a failure stopped it."""

    signalled = False

    def handle_int(self) -> None:
        self.signalled = True
        super().handle_int()

    def handle_term(self) -> None:
        self.signalled = True
        super().handle_term()


def serve(config: uvicorn.Config) -> int:
    """Run until stopped; the exit status: 0 after SIGTERM or SIGINT, non-zero otherwise."""
    if config.workers <= 1:
        server = uvicorn.Server(config)
        # A failed start-up raises SystemExit(3) out of run(); a signal ends it normally.
        server.run()
        return 0 if server.started else STOPPED_BY_SELF
    supervisor = _Supervisor(config, sockets=[config.bind_socket()])
    supervisor.run()
    if supervisor.signalled:
        return 0
    logging.getLogger("uvicorn.error").error(
        "a worker failed to start and uvicorn stopped the others: exiting with status %d",
        STOPPED_BY_SELF,
    )
    return STOPPED_BY_SELF

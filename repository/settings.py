"""Settings, read once from the environment."""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_VAR = Path("var")


class SettingsError(Exception):
    """A setting is missing or malformed."""


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{DEFAULT_VAR / 'practices.db'}"
    index_dir: Path = DEFAULT_VAR / "index"
    upload_dir: Path = DEFAULT_VAR / "uploads"
    secret_key: str = ""
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "testserver")
    debug: bool = False
    page_size: int = field(default=20)
    # How often the index writer looks for outbox entries; 0 turns the background writer off.
    index_poll_seconds: float = 1.0
    # Search and API requests per client address and minute; 0 turns the limit off.
    rate_limit_per_minute: int = 600
    # Addresses (or networks) of the reverse proxies whose X-Forwarded-For and -Proto are
    # believed; none by default, so a client cannot claim another address.
    forwarded_allow_ips: tuple[str, ...] = ()
    # This node's name in the table of index positions; empty: host name and index directory.
    node_name: str = ""
    # Outbox entries every live node has applied are pruned once older than this.
    outbox_retention_days: float = 7.0
    # A node not seen for this long is not waited for (it rebuilds its index when it returns).
    node_timeout_hours: float = 24.0
    # E-mail: off while smtp_host is empty (the outbox then keeps its messages unsent).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_tls: str = "starttls"  # "starttls", "ssl" (implicit TLS) or "none"
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = ""
    # The site's public address, for the absolute links e-mails carry.
    base_url: str = ""
    mail_poll_seconds: float = 10.0

    @classmethod
    def from_env(cls, environ=os.environ, **overrides) -> "Settings":
        values = {}
        if url := environ.get("PRACTICES_DATABASE_URL"):
            values["database_url"] = url
        if index_dir := environ.get("PRACTICES_INDEX_DIR"):
            values["index_dir"] = Path(index_dir)
        if upload_dir := environ.get("PRACTICES_UPLOAD_DIR"):
            values["upload_dir"] = Path(upload_dir)
        if key := environ.get("PRACTICES_SECRET_KEY"):
            values["secret_key"] = key
        if hosts := environ.get("PRACTICES_ALLOWED_HOSTS"):
            values["allowed_hosts"] = tuple(h.strip() for h in hosts.split(",") if h.strip())
        if poll := environ.get("PRACTICES_INDEX_POLL_SECONDS"):
            try:
                values["index_poll_seconds"] = float(poll)
            except ValueError:
                raise SettingsError("PRACTICES_INDEX_POLL_SECONDS must be a number") from None
        if limit := environ.get("PRACTICES_RATE_LIMIT_PER_MINUTE"):
            if not limit.isdigit():
                raise SettingsError("PRACTICES_RATE_LIMIT_PER_MINUTE must be a whole number")
            values["rate_limit_per_minute"] = int(limit)
        if proxies := environ.get("PRACTICES_FORWARDED_ALLOW_IPS"):
            values["forwarded_allow_ips"] = addresses(proxies)
        if name := environ.get("PRACTICES_NODE_NAME"):
            values["node_name"] = name.strip()[:300]
        for variable, key in (
            ("PRACTICES_OUTBOX_RETENTION_DAYS", "outbox_retention_days"),
            ("PRACTICES_NODE_TIMEOUT_HOURS", "node_timeout_hours"),
        ):
            if variable in environ:
                values[key] = _positive_number(variable, environ[variable])
        for name, key in (
            ("PRACTICES_SMTP_HOST", "smtp_host"),
            ("PRACTICES_SMTP_USER", "smtp_user"),
            ("PRACTICES_SMTP_PASSWORD", "smtp_password"),
            ("PRACTICES_MAIL_FROM", "mail_from"),
            ("PRACTICES_BASE_URL", "base_url"),
        ):
            if value := environ.get(name):
                values[key] = value.strip()
        if port := environ.get("PRACTICES_SMTP_PORT"):
            if not port.isdigit() or not 0 < int(port) < 65536:
                raise SettingsError("PRACTICES_SMTP_PORT must be a port number")
            values["smtp_port"] = int(port)
        if tls := environ.get("PRACTICES_SMTP_TLS"):
            values["smtp_tls"] = tls.strip().lower()
        if poll := environ.get("PRACTICES_MAIL_POLL_SECONDS"):
            try:
                values["mail_poll_seconds"] = float(poll)
            except ValueError:
                raise SettingsError("PRACTICES_MAIL_POLL_SECONDS must be a number") from None
        if "PRACTICES_DEBUG" in environ:
            values["debug"] = _flag(environ["PRACTICES_DEBUG"])
        values.update(overrides)
        return cls(**values)

    def checked(self) -> "Settings":
        """The settings fit to serve requests; a throwaway key only in debug mode."""
        self.check_mail()
        if self.secret_key:
            if len(self.secret_key) < 32:
                raise SettingsError("PRACTICES_SECRET_KEY must be at least 32 characters long.")
            return self
        if self.debug:
            return _replace(self, secret_key=secrets.token_urlsafe(32))
        raise SettingsError(
            "PRACTICES_SECRET_KEY is not set. Set it to a long random string "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))'), "
            "or set PRACTICES_DEBUG=1 for local development."
        )

    @property
    def sends_mail(self) -> bool:
        return bool(self.smtp_host)

    def check_mail(self) -> None:
        """E-mail settings that cannot work are an error at start, not a message lost later."""
        if not self.smtp_host:
            return
        if self.smtp_tls not in ("starttls", "ssl", "none"):
            raise SettingsError("PRACTICES_SMTP_TLS must be starttls, ssl or none")
        if not self.mail_from or "@" not in self.mail_from:
            raise SettingsError("PRACTICES_MAIL_FROM must be the sender's address, to send e-mail")
        if not self.base_url.startswith(("https://", "http://")):
            raise SettingsError(
                "PRACTICES_BASE_URL must be the site's public address (https://...), to send "
                "e-mail: the links in messages must be absolute"
            )
        if bool(self.smtp_user) != bool(self.smtp_password):
            raise SettingsError("PRACTICES_SMTP_USER and PRACTICES_SMTP_PASSWORD go together")

    def mail_status(self) -> str:
        """One line on e-mail, for the operator starting the app."""
        if not self.smtp_host:
            return (
                "E-mail: off (PRACTICES_SMTP_HOST is not set); notifications stay in the app "
                "and messages wait in the outbox."
            )
        security = {"starttls": "STARTTLS", "ssl": "TLS", "none": "no TLS"}[self.smtp_tls]
        return (
            f"E-mail: sent through {self.smtp_host}:{self.smtp_port} ({security}) from "
            f"{self.mail_from}, links to {self.base_url}."
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def index_node_name(self) -> str:
        """PRACTICES_NODE_NAME, or the host name and a digest of the index directory's path
        (/readyz shows node names to anyone: a digest rather than the path itself)."""
        import hashlib
        import socket

        if self.node_name:
            return self.node_name
        digest = hashlib.sha256(str(self.index_dir.resolve()).encode()).hexdigest()[:8]
        return f"{socket.gethostname()[:250]}-{digest}"


def _positive_number(variable: str, value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not number >= 0 or number == float("inf"):
        raise SettingsError(f"{variable} must be a number of zero or more")
    return number


def _replace(settings: Settings, **changes) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


def addresses(value: str) -> tuple[str, ...]:
    """Comma-separated IP addresses or networks (as uvicorn's --forwarded-allow-ips takes them),
    checked here so that a typo is an error at start rather than a proxy silently not trusted."""
    import ipaddress

    found = tuple(part.strip() for part in value.split(",") if part.strip())
    for item in found:
        if item == "*":
            raise SettingsError(
                "PRACTICES_FORWARDED_ALLOW_IPS: name the proxies; '*' would let any client "
                "claim any address"
            )
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(
                f"PRACTICES_FORWARDED_ALLOW_IPS: {item!r} is not an IP address or network"
            ) from None
    return found

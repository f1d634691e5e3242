"""The `practices` command."""

import json
import os
import secrets
import sys
from functools import wraps
from pathlib import Path

import click
from sqlalchemy import select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from repository import migrations
from repository.db import Database
from repository.settings import Settings, SettingsError

SEED_FILE = Path(__file__).resolve().parent.parent / "seed" / "practices.jsonl"


class Failure(click.ClickException):
    """An error reported as one line, exit status 1."""


def clear_errors(function):
    """Turn the errors an operator can cause into one clear line instead of a traceback."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        except SettingsError as error:
            raise Failure(str(error)) from None
        except OperationalError as error:
            raise Failure(f"database error: {str(error.orig).splitlines()[0]}") from None
        except SQLAlchemyError as error:
            raise Failure(f"database error: {str(error).splitlines()[0]}") from None
        except OSError as error:
            raise Failure(str(error)) from None

    return wrapper


def settings() -> Settings:
    return Settings.from_env()


def database(settings_: Settings | None = None) -> Database:
    settings_ = settings_ or settings()
    if settings_.is_sqlite:
        path = settings_.database_url.removeprefix("sqlite:///")
        if path and path != settings_.database_url and ":memory:" not in path:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    return Database(settings_.database_url)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main():
    """Practice Hub: good practices against human trafficking."""


@main.group()
def db():
    """Database schema commands."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Target revision.")
@clear_errors
def db_upgrade(revision):
    """Apply migrations up to REVISION (the latest by default)."""
    database_ = database()
    migrations.upgrade(database_.engine, revision)
    click.echo(f"database at revision {migrations.current_revision(database_.engine)}")


@db.command("downgrade")
@click.argument("revision")
@clear_errors
def db_downgrade(revision):
    """Revert migrations down to REVISION (use 'base' for an empty database)."""
    database_ = database()
    migrations.downgrade(database_.engine, revision)
    click.echo(f"database at revision {migrations.current_revision(database_.engine)}")


@db.command("current")
@clear_errors
def db_current():
    """Print the database's revision and the latest one."""
    database_ = database()
    click.echo(f"current: {migrations.current_revision(database_.engine)}")
    click.echo(f"head:    {migrations.head_revision()}")


def _require_migrated(database_: Database) -> None:
    if migrations.current_revision(database_.engine) != migrations.head_revision():
        raise Failure("the database is not at the latest migration: run 'practices db upgrade'")


def _print_report(report, verb: str) -> None:
    for error in report.errors[:200]:
        click.echo(str(error), err=True)
    if len(report.errors) > 200:
        click.echo(f"... and {len(report.errors) - 200} more errors", err=True)
    if report.errors and not report.imported:
        lines = len({e.line for e in report.errors})
        raise Failure(f"nothing {verb}: {len(report.errors)} errors in {lines} lines")
    click.echo(
        f"{verb} {report.imported} practices"
        + (f", skipped {report.skipped} invalid lines" if report.skipped else "")
    )


@main.group()
def i18n():
    """The six catalogues: check them, compile them (docs/translations.md)."""


@i18n.command("check")
def i18n_check():
    """Count each catalogue's messages; exit 1 if any is untranslated or loses a placeholder."""
    from repository.languages.catalogues import check_all

    incomplete = False
    for report in check_all():
        click.echo(
            f"{report.language}: {report.translated}/{report.messages} translated, "
            f"{len(report.untranslated)} untranslated, {len(report.fuzzy)} fuzzy, "
            f"{len(report.broken)} with placeholders lost or changed"
        )
        for msgid, string in report.broken:
            click.echo(f"  placeholders differ: {msgid!r} -> {string!r}")
        incomplete = incomplete or not report.complete
    if incomplete:
        raise SystemExit(1)


@i18n.command("compile")
def i18n_compile():
    """Write the .mo files (the application otherwise compiles the .po files in memory)."""
    from repository.i18n import compile_all

    for path in compile_all():
        click.echo(str(path))


@i18n.command("english")
def i18n_english():
    """Fill the English catalogue with the messages as written."""
    from repository.languages.catalogues import fill_english

    click.echo(f"{fill_english()} English messages filled")


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@click.option(
    "--skip-invalid", is_flag=True, help="Import the valid lines even if others are invalid."
)
@clear_errors
def import_command(file, skip_invalid):
    """Import practices from a JSON Lines FILE ('-' for standard input)."""
    from repository.practices.interchange import import_lines

    database_ = database()
    _require_migrated(database_)
    with click.open_file(file, "rb") as handle:
        report = import_lines(database_, handle, skip_invalid=skip_invalid)
    _print_report(report, "imported")
    _apply_to_index()


@main.command("export")
@click.option(
    "--status", "statuses", multiple=True, help="Only practices with this status (repeatable)."
)
@clear_errors
def export_command(statuses):
    """Write practices as JSON Lines to standard output."""
    from repository.practices.interchange import export_lines
    from repository.vocabularies import STATUSES

    for status in statuses:
        if status not in STATUSES:
            raise Failure(
                f"unknown status {status!r}; expected one of: {', '.join(STATUSES.values)}"
            )
    database_ = database()
    _require_migrated(database_)
    with database_.read() as session:
        try:
            for line in export_lines(session, statuses):
                sys.stdout.write(line)
            sys.stdout.flush()
        except BrokenPipeError:
            # The reader stopped early (e.g. `| head`): not an error; keep Python quiet on exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _seed(database_: Database, synthetic: int | None, seed: int) -> None:
    from repository.practices.interchange import import_lines
    from repository.practices.synthetic import synthetic_records

    if synthetic:
        lines = (json.dumps(r) for r in synthetic_records(synthetic, seed))
        report = import_lines(database_, lines)
    else:
        with SEED_FILE.open("rb") as handle:
            report = import_lines(database_, handle)
    _print_report(report, "seeded")


@main.command("seed")
@click.option(
    "--synthetic", type=click.IntRange(1, 1_000_000), help="Generate N synthetic practices instead."
)
@click.option(
    "--seed", "seed_", type=int, default=0, show_default=True, help="Random seed for --synthetic."
)
@clear_errors
def seed_command(synthetic, seed_):
    """Load the real seed practices (or synthetic ones) into the database."""
    database_ = database()
    _require_migrated(database_)
    _seed(database_, synthetic, seed_)
    _apply_to_index()


def index_sync(settings_: Settings | None = None):
    from repository.indexing import IndexSync
    from search import SearchIndex

    settings_ = settings_ or settings()
    return IndexSync(database(settings_), SearchIndex(settings_.index_dir))


def _apply_to_index() -> None:
    """After a write, apply the outbox here too; a running app's writer does it otherwise."""
    from search import IndexBusy, IndexUnavailable

    sync = index_sync()
    try:
        if sync.index.exists():
            sync.catch_up()
    except (IndexBusy, IndexUnavailable):
        pass  # the app applies it (or rebuilds) on its next round


@main.command("reindex")
@clear_errors
def reindex():
    """Rebuild the search index from the database into a new directory and swap it in."""
    from tqdm import tqdm

    sync = index_sync()
    _require_migrated(sync.db)
    total = len(sync.published_versions())
    with tqdm(total=total, unit="practice", desc="indexing", file=sys.stderr) as bar:
        count = sync.rebuild(progress=bar.update)
    click.echo(f"indexed {count} published practices into {sync.index.current_dir()}")


@main.command("check-tags")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    default=("published",),
    show_default=True,
    help="Check practices with this status (repeatable).",
)
@clear_errors
def check_tags(statuses):
    """Flag tags that narrow nothing or that the text does not support; exit 1 if any."""
    from repository.practices.interchange import export_lines
    from repository.practices.tagcheck import check

    database_ = database()
    _require_migrated(database_)
    with database_.read() as session:
        records = [json.loads(line) for line in export_lines(session, statuses)]
    findings = check(records)
    for finding in findings:
        click.echo(str(finding))
    if findings:
        raise Failure(f"{len(findings)} tagging problems in {len(records)} practices")
    click.echo(f"tags look right: {len(records)} practices checked")


@main.command("check-index")
@clear_errors
def check_index():
    """Check the index files against their manifest and the index against the published
    practices; exit 1 on damage or drift."""
    from search import IndexBusy, IndexUnavailable

    sync = index_sync()
    _require_migrated(sync.db)
    try:
        if not sync.index.exists():
            raise IndexUnavailable("there is no index yet: run 'practices reindex'")
        # Zeroed bytes in a segment can leave every id and version readable: hash the files.
        sync.index.verify()
        drift = sync.drift()
        pending = sync.latest_seq() - sync.index.applied_seq()
    except IndexUnavailable as error:
        raise Failure(f"index unusable: {error}") from None
    except IndexBusy as error:
        raise Failure(f"{error}: try again in a moment") from None
    if drift:
        for name in ("missing", "extra", "stale"):
            ids = getattr(drift, name)
            if ids:
                click.echo(
                    f"{name}: {', '.join(map(str, ids[:50]))}{' ...' if len(ids) > 50 else ''}"
                )
        raise Failure(f"index differs from the database: {drift}")
    click.echo(
        f"index matches the database ({len(sync.published_versions())} published"
        f" practices; {max(pending, 0)} outbox entries pending)"
    )


@main.command("prune-outbox")
@clear_errors
def prune_outbox_command():
    """Delete index outbox entries that every live node has applied and that are older than
    PRACTICES_OUTBOX_RETENTION_DAYS (the app's index writer also does it every 10 minutes)."""
    from repository.app import prune_outbox

    settings_ = settings()
    database_ = database(settings_)
    _require_migrated(database_)
    count = prune_outbox(database_, settings_)
    click.echo(f"pruned {count} applied outbox entries")


@main.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@clear_errors
def backup_command(directory):
    """Back up the database and attachments into DIRECTORY (new), while the app runs."""
    from repository.backup import BackupError, backup

    settings_ = settings()
    try:
        manifest = backup(settings_.database_url, settings_.upload_dir, directory)
    except (BackupError, FileExistsError) as error:
        raise Failure(str(error)) from None
    click.echo(
        f"backed up the {manifest['kind']} database at migration {manifest['revision']} "
        f"and {manifest['attachments']} attachments into {directory}"
    )


@main.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@clear_errors
def restore_command(directory):
    """Restore a backup into an empty database and upload directory; the index rebuilds itself."""
    from repository.backup import BackupError, restore

    settings_ = settings()
    try:
        manifest = restore(directory, settings_.database_url, settings_.upload_dir)
    except BackupError as error:
        raise Failure(str(error)) from None
    click.echo(
        f"restored the backup of {manifest['created']}; the search index is rebuilt "
        "from the database when the app starts (or run 'practices reindex')"
    )


@main.group()
def users():
    """User accounts."""


@users.command("add")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option(
    "--role",
    type=click.Choice(["partner", "curator", "admin"]),
    default="partner",
    show_default=True,
)
@click.option("--organisation", help="Organisation name (created if new).")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 12 characters; prompted for when not given.",
)
@clear_errors
def users_add(email, name, role, organisation, password):
    """Create an active user account."""
    from repository.accounts.services import AccountError, create_user

    database_ = database()
    _require_migrated(database_)
    try:
        with database_.write() as session:
            user = create_user(
                session,
                email=email,
                name=name,
                password=password,
                role=role,
                organisation_name=organisation,
                active=True,
            )
            click.echo(f"created {user.role} {user.email} (id {user.id})")
    except AccountError as error:
        raise Failure(str(error)) from None


def _serve(host: str, port: int, workers: int, forwarded_allow_ips: tuple[str, ...] = ()) -> None:
    from repository.serving import make_config, serve

    status = serve(make_config(host, port, workers, forwarded_allow_ips))
    if status:
        sys.exit(status)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option(
    "--forwarded-allow-ips",
    metavar="ADDRESSES",
    help="Comma-separated addresses or networks of the reverse proxies whose X-Forwarded-For "
    "and X-Forwarded-Proto to believe (default: PRACTICES_FORWARDED_ALLOW_IPS, else none).",
)
@clear_errors
def serve(host, port, workers, forwarded_allow_ips):
    """Serve the application with uvicorn; exit non-zero unless stopped by a signal."""
    from repository.settings import addresses

    settings_ = settings().checked()
    _require_migrated(database(settings_))
    proxies = (
        addresses(forwarded_allow_ips)
        if forwarded_allow_ips is not None
        else settings_.forwarded_allow_ips
    )
    click.echo(settings_.mail_status(), err=True)
    _serve(host, port, workers, proxies)


@main.group()
def mail():
    """The e-mail outbox: send what is due, send a test message, see where it stands."""


def _sender(settings_: Settings):
    from repository.app import create_app

    if not settings_.sends_mail:
        raise Failure(settings_.mail_status())
    return create_app(settings_, database=database(settings_))


@mail.command("send")
@clear_errors
def mail_send():
    """Send the messages that are due now (for a cron job, or to catch up by hand)."""
    from repository.mail import digests

    settings_ = settings().checked()
    app = _sender(settings_)
    _require_migrated(app.state.db)
    digests.run_due(app.state.db, app.state.index, settings_)
    done = app.state.mail_sender.run_once()
    click.echo(
        f"{len(done.sent)} sent, {len(done.retried)} to retry, {len(done.failed)} given up, "
        f"{len(done.dropped)} no longer allowed"
    )
    if done.retried or done.failed:
        sys.exit(1)


@mail.command("test")
@click.option("--to", "address", required=True, help="Where to send the test message.")
@clear_errors
def mail_test(address):
    """Send one message now, to check the SMTP settings."""
    from repository.mail import outbox

    settings_ = settings().checked()
    app = _sender(settings_)
    with app.state.db.write() as session:
        outbox.enqueue(
            session,
            address,
            "Practice Hub: test message",
            "This message checks that Practice Hub can send e-mail.",
            link="home:",
        )
    done = app.state.mail_sender.run_once()
    if not done.sent:
        raise Failure("the test message was not sent: see 'practices mail status'")
    click.echo(f"sent to {address}")


@mail.command("status")
@clear_errors
def mail_status():
    """Count the outbox's messages by state, and show the last errors."""
    from sqlalchemy import func

    from repository.models import EmailOutbox

    settings_ = settings()
    click.echo(settings_.mail_status())
    database_ = database(settings_)
    _require_migrated(database_)
    with database_.read() as session:
        count = lambda *where: session.scalar(  # noqa: E731
            select(func.count()).select_from(EmailOutbox).where(*where)
        )
        click.echo(f"sent: {count(EmailOutbox.sent_at.is_not(None))}")
        click.echo(
            f"waiting: {count(EmailOutbox.sent_at.is_(None), EmailOutbox.failed_at.is_(None))}"
        )
        click.echo(f"given up: {count(EmailOutbox.failed_at.is_not(None))}")
        for row in session.scalars(
            select(EmailOutbox)
            .where(EmailOutbox.last_error != "")
            .order_by(EmailOutbox.id.desc())
            .limit(5)
        ):
            click.echo(f"  #{row.id} to {row.to_address}: {row.last_error}")


def _demo_accounts(database_: Database) -> None:
    """A curator and a partner to try the workflow with; passwords made here, shown once."""
    from repository.accounts.services import create_user

    lines = []
    with database_.write() as session:
        for email, role, organisation in (
            ("curator@demo.example", "curator", None),
            ("partner@demo.example", "partner", "Demo Partner NGO"),
        ):
            password = secrets.token_urlsafe(12)
            create_user(
                session,
                email=email,
                name=role.title(),
                password=password,
                role=role,
                organisation_name=organisation,
                active=True,
            )
            lines.append(f"{role:8} {email}  password: {password}")
    accounts_file = Path("var") / "demo-accounts.txt"
    accounts_file.write_text("\n".join(lines) + "\n")
    accounts_file.chmod(0o600)
    click.echo("Demo accounts (also in var/demo-accounts.txt):\n  " + "\n  ".join(lines))


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@clear_errors
def demo(host, port):
    """Migrate, seed when empty and serve, all on the embedded default (./var)."""
    from repository.models import Practice

    settings_ = settings()
    if not settings_.secret_key:
        key_file = Path("var") / "secret_key"
        key_file.parent.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        os.environ["PRACTICES_SECRET_KEY"] = key_file.read_text().strip()
    database_ = database(settings_)
    migrations.upgrade(database_.engine)
    with database_.read() as session:
        empty = session.scalar(select(Practice.id).limit(1)) is None
    if empty:
        _seed(database_, None, 0)
        _demo_accounts(database_)
    database_.dispose()
    click.echo(settings_.mail_status())
    click.echo(f"Practice Hub demo: open http://{host}:{port}/  (Ctrl+C to stop)")
    _serve(host, port, 1, settings_.forwarded_allow_ips)


if __name__ == "__main__":
    main()

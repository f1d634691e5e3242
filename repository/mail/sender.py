"""Sending the outbox over SMTP, after the transactions that wrote it have committed.

Each round claims the messages that are due (several workers or servers never send one twice
at once: a claim is an UPDATE that only one of them wins), checks again that the recipient may
hear about what the message concerns, sends each over one connection and records the outcome
in its own transaction. A refusal that may pass (a 4xx answer, a connection that fails) is
retried later, each time after a longer wait; a refusal for good (5xx) or the last attempt
failing gives the message up, with the reason kept.
"""

import contextlib
import logging
import smtplib
import socket
import ssl
import threading
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import or_, select, update

from repository.mail import compose, outbox
from repository.models import EmailOutbox, User, utcnow

log = logging.getLogger(__name__)

# Seconds to wait before the 2nd, 3rd, ... attempt: a minute, five, half an hour, two hours,
# twelve hours; then the message is given up (about 15 hours after it was first tried).
BACKOFF = (60, 300, 1800, 7200, 43200)
MAX_ATTEMPTS = len(BACKOFF) + 1
BATCH = 50
CLAIM = timedelta(minutes=5)
TIMEOUT = 30


@dataclass
class Round:
    sent: list[int] = field(default_factory=list)
    retried: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)


class Permanent(Exception):
    """The server refused the message for good."""


def connect(settings) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if settings.smtp_tls == "ssl":
        smtp = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=TIMEOUT, context=context
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT)
        smtp.ehlo()
        if settings.smtp_tls == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
    if settings.smtp_user:
        smtp.login(settings.smtp_user, settings.smtp_password)
    return smtp


class MailSender:
    def __init__(self, db, settings, resolve, templates):
        self.db = db
        self.settings = settings
        self.resolve = resolve  # link reference -> path (links.resolve with the app)
        self.templates = templates  # the Jinja environment

    def _due(self, now) -> list[int]:
        with self.db.read() as session:
            return list(
                session.scalars(
                    select(EmailOutbox.id)
                    .where(
                        EmailOutbox.sent_at.is_(None),
                        EmailOutbox.failed_at.is_(None),
                        or_(
                            EmailOutbox.next_attempt_at.is_(None),
                            EmailOutbox.next_attempt_at <= now,
                        ),
                        or_(EmailOutbox.claimed_until.is_(None), EmailOutbox.claimed_until < now),
                    )
                    .order_by(EmailOutbox.id)
                    .limit(BATCH)
                )
            )

    def _claim(self, message_id: int, now) -> bool:
        with self.db.write() as session:
            result = session.execute(
                update(EmailOutbox)
                .where(
                    EmailOutbox.id == message_id,
                    EmailOutbox.sent_at.is_(None),
                    EmailOutbox.failed_at.is_(None),
                    or_(EmailOutbox.claimed_until.is_(None), EmailOutbox.claimed_until < now),
                )
                .values(claimed_until=now + CLAIM)
            )
            return result.rowcount == 1

    def _prepare(self, message_id: int):
        """The message to send, or None when it must not be sent any more (dropped)."""
        with self.db.write() as session:
            row = session.get(EmailOutbox, message_id)
            user = session.get(User, row.user_id) if row.user_id is not None else None
            about = list(row.practice_ids or [])
            if (about or row.update_id is not None) and not outbox.may_receive(
                session, user, about, row.update_id
            ):
                # What it is about is no longer public and this person is not (or no longer)
                # one of its owners or a curator.
                row.failed_at = utcnow()
                row.last_error = "not sent: the recipient may no longer hear about this"
                row.claimed_until = None
                return None
            return compose.compose(row, self.settings, self.resolve, self.templates)

    def _finish(self, message_id: int, error: Exception | None, permanent: bool, now) -> str:
        with self.db.write() as session:
            row = session.get(EmailOutbox, message_id)
            row.claimed_until = None
            if error is None:
                row.sent_at = utcnow()
                row.last_error = ""
                return "sent"
            row.attempts += 1
            row.last_error = f"{type(error).__name__}: {error}"[:500]
            if permanent or row.attempts >= MAX_ATTEMPTS:
                row.failed_at = utcnow()
                return "failed"
            row.next_attempt_at = now + timedelta(seconds=BACKOFF[row.attempts - 1])
            return "retried"

    def run_once(self, now=None) -> Round:
        """Send what is due; what happened to each message."""
        now = now or utcnow()
        done = Round()
        claimed = [i for i in self._due(now) if self._claim(i, now)]
        if not claimed:
            return done
        smtp = None
        try:
            smtp = connect(self.settings)
        except (OSError, smtplib.SMTPException) as error:
            log.warning("cannot reach the mail server %s: %s", self.settings.smtp_host, error)
            for message_id in claimed:
                getattr(done, self._finish(message_id, error, False, now)).append(message_id)
            return done
        try:
            for message_id in claimed:
                message = self._prepare(message_id)
                if message is None:
                    done.dropped.append(message_id)
                    continue
                try:
                    refused = smtp.send_message(message)
                    if refused:
                        raise Permanent(f"recipient refused: {refused}")
                except smtplib.SMTPResponseException as error:
                    outcome = self._finish(message_id, error, error.smtp_code >= 500, now)
                except smtplib.SMTPRecipientsRefused as error:
                    codes = [code for code, _text in error.recipients.values()]
                    outcome = self._finish(message_id, error, min(codes) >= 500, now)
                except Permanent as error:
                    outcome = self._finish(message_id, error, True, now)
                except (OSError, smtplib.SMTPException) as error:
                    outcome = self._finish(message_id, error, False, now)
                    if isinstance(error, (smtplib.SMTPServerDisconnected, socket.timeout)):
                        # The rest wait for the next round and a new connection.
                        for rest in claimed[claimed.index(message_id) + 1 :]:
                            self._release(rest)
                        getattr(done, outcome).append(message_id)
                        break
                else:
                    outcome = self._finish(message_id, None, False, now)
                getattr(done, outcome).append(message_id)
        finally:
            with contextlib.suppress(OSError, smtplib.SMTPException):
                smtp.quit()
        if done.sent or done.failed:
            log.info("e-mail: %d sent, %d given up", len(done.sent), len(done.failed))
        return done

    def _release(self, message_id: int) -> None:
        with self.db.write() as session:
            session.get(EmailOutbox, message_id).claimed_until = None


class MailWorker:
    """The app's background sender: every few seconds, the saved-search digests that are due,
    then the outbox. It never stops the process; a failing round is logged and tried again."""

    def __init__(self, sender: MailSender, chores=(), interval: float = 10.0):
        self.sender = sender
        self.chores = chores
        self.interval = interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def notify(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=TIMEOUT + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            for chore in (*self.chores, self.sender.run_once):
                try:
                    chore()
                except Exception:
                    log.exception("sending e-mail failed; will retry")
            self._wake.wait(self.interval)
            self._wake.clear()

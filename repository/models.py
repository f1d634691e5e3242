"""The data model. Vocabulary values are plain strings checked by the services."""

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Organisation(Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    actor_type: Mapped[str] = mapped_column(String(40))
    country: Mapped[str | None] = mapped_column(String(3))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class User(Base):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20), default="partner")
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Bumped when the password changes: sessions signed before then stop being valid.
    auth_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_sign_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Set when an administrator deactivates the account: a curator's approval is for accounts
    # waiting for their first one, and must not undo an administrator's decision.
    deactivated_at: Mapped[datetime | None] = mapped_column(DateTime)
    # An existing organisation this account asked to join at registration. It becomes the
    # account's organisation only when a member of it, or a curator shown its members, agrees.
    requested_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    # Curators' e-mails about new registrations and submissions, which they may turn off
    # (the notifications in the app stay).
    curation_emails: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The interface language the account chose (one of i18n.LOCALES); None: as the browser asks.
    language: Mapped[str | None] = mapped_column(String(8))

    organisation: Mapped[Organisation | None] = relationship(
        lazy="joined", foreign_keys=[organisation_id]
    )
    requested_organisation: Mapped[Organisation | None] = relationship(
        lazy="joined", foreign_keys=[requested_organisation_id]
    )


class SignedInSession(Base):
    """A signed-in browser session, checked on every request: signing out deletes it, so a
    copied cookie stops working then (the cookie alone stayed valid for 14 days)."""

    __tablename__ = "signed_in_session"

    # SHA-256 of the random id kept in the signed cookie.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class Practice(Base):
    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    lessons_learned: Mapped[str] = mapped_column(Text, default="")
    start_year: Mapped[int | None] = mapped_column(Integer)  # None only in drafts
    end_year: Mapped[int | None] = mapped_column(Integer)  # None while ongoing
    language: Mapped[str] = mapped_column(String(2), default="en")
    # Where it applies: "national" (its countries), "regional" (scope_area names the area) or
    # "global" (repository/scopes.py).
    scope: Mapped[str] = mapped_column(String(10), default="national", server_default="national")
    scope_area: Mapped[str | None] = mapped_column(String(40))
    practice_type: Mapped[str] = mapped_column(String(40))
    evidence: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_verified: Mapped[date | None] = mapped_column(Date)
    # The partner organisation that submitted it (None for imported practices): its members
    # may see and edit it while it is not published.
    owner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    # Set when the partner turned this draft into a proposed update of a published practice:
    # the draft is kept out of sight (with its files) so that the partner can undo that while
    # the update is a draft, and deleted once the update is submitted.
    converted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The partner's explanations of what the privacy check flagged, by finding key:
    # {"key": {"text": ..., "by": user id, "at": ISO time}} (submissions.privacy).
    privacy_explanations: Mapped[dict | None] = mapped_column(JSON)

    organisation: Mapped[Organisation] = relationship(
        lazy="joined", innerjoin=True, foreign_keys=[organisation_id]
    )
    assigned_to: Mapped["User | None"] = relationship(foreign_keys=[assigned_to_id])
    tags: Mapped[list["PracticeTag"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )
    countries: Mapped[list["PracticeCountry"]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True, lazy="selectin"
    )
    sources: Mapped[list["PracticeSource"]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="PracticeSource.position",
    )
    partners: Mapped[list["PracticePartner"]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="PracticePartner.position",
    )
    translations: Mapped[list["PracticeTranslation"]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="selectin",
        order_by="PracticeTranslation.language",
    )

    def tag_values(self, vocabulary: str) -> list[str]:
        return [tag.value for tag in self.tags if tag.vocabulary == vocabulary]

    @property
    def country_codes(self) -> list[str]:
        return sorted(c.country_code for c in self.countries)


class PracticeTag(Base):
    """One value of a multi-valued vocabulary (pillar, actor type, ...) on a practice."""

    __tablename__ = "practice_tag"
    __table_args__ = (Index("ix_practice_tag_vocabulary_value", "vocabulary", "value"),)

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True
    )
    vocabulary: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(40), primary_key=True)


class PracticeCountry(Base):
    __tablename__ = "practice_country"

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True
    )
    country_code: Mapped[str] = mapped_column(String(3), primary_key=True, index=True)


class PracticeSource(Base):
    __tablename__ = "practice_source"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2000))
    publisher: Mapped[str] = mapped_column(String(300), default="", server_default="")
    year: Mapped[int | None] = mapped_column(Integer)


class PracticeTranslation(Base):
    """The title and summary of a practice in another language than its own."""

    __tablename__ = "practice_translation"

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True
    )
    language: Mapped[str] = mapped_column(String(2), primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)


class PracticePartner(Base):
    __tablename__ = "practice_partner"

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class ReviewEvent(Base):
    __tablename__ = "review_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    # "internal" notes are for curators only; "submitter" notes are shown to the submitter.
    note_visibility: Mapped[str] = mapped_column(String(20), default="internal")
    update_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice_update.id", ondelete="CASCADE"), index=True
    )
    rubric: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped["User | None"] = relationship(lazy="joined")


class PracticeRevision(Base):
    __tablename__ = "practice_revision"
    __table_args__ = (UniqueConstraint("practice_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[dict] = mapped_column(JSON)
    # A curator purged the text of this revision (it held what looked like personal data):
    # the document keeps only its status; the audit log says who did it and when.
    purged_at: Mapped[datetime | None] = mapped_column(DateTime)
    purged_by_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))

    author: Mapped["User | None"] = relationship(lazy="joined", foreign_keys=[author_id])


class IndexOutbox(Base):
    """Practices whose public document changed, in commit order, for the index writers.

    No foreign key: a deleted practice still needs its removal from the index.
    """

    __tablename__ = "index_outbox"

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    practice_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class IndexNode(Base):
    """An app node's index and how far it has applied the outbox; pruning waits for the
    nodes seen lately (repository/outbox.py)."""

    __tablename__ = "index_node"

    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class OutboxPruning(Base):
    """One row: the last outbox entry pruned. An index behind it has missed changes for good
    and is rebuilt from the database instead of caught up."""

    __tablename__ = "outbox_pruning"

    id: Mapped[int] = mapped_column(primary_key=True)
    pruned_through: Mapped[int] = mapped_column(Integer)
    pruned_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class PracticeUpdate(Base):
    """A proposed change to a published practice, reviewed while the current version stays
    public; publishing it applies its document to the practice."""

    __tablename__ = "practice_update"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )
    document: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    owner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    assigned_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The partner's draft this update was made from (kept hidden for an undo; see
    # Practice.converted_at), and the partner's explanations of privacy findings.
    from_draft_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice.id", ondelete="SET NULL")
    )
    privacy_explanations: Mapped[dict | None] = mapped_column(JSON)

    practice: Mapped[Practice] = relationship(lazy="joined", foreign_keys=[practice_id])


class Attachment(Base):
    """An evidence file; stored under a server-made name outside the web root.

    Evidence is internal (the submitting organisation and curators only) unless a curator,
    shown the file, makes it public; a public file is served to everyone only while its
    practice is published."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    visibility: Mapped[str] = mapped_column(
        String(10), default="internal", server_default="internal"
    )
    visibility_set_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="SET NULL")
    )
    visibility_set_at: Mapped[datetime | None] = mapped_column(DateTime)


class Notification(Base):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    message: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)


class EmailOutbox(Base):
    """One e-mail to one address about one event, written in the transaction of the event and
    sent after commit by the mail sender (repository.mail), with retries.

    `link` is a reference ("submission:12") made absolute when the message is sent; the
    practices and update it is about are checked again then, so that nobody but the owners and
    curators is ever sent anything about what is not published."""

    __tablename__ = "email_outbox"
    __table_args__ = (UniqueConstraint("event", "to_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # What happened, once per address ("decision:review_event:17"); None for one-off messages.
    event: Mapped[str | None] = mapped_column(String(120))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    link: Mapped[str] = mapped_column(String(300), default="", server_default="")
    # An optional message (alerts, digests) carries an unsubscribe link for this topic.
    unsubscribe: Mapped[str | None] = mapped_column(String(60))
    practice_ids: Mapped[list | None] = mapped_column(JSON)
    update_id: Mapped[int | None] = mapped_column(Integer)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime)
    last_error: Mapped[str] = mapped_column(String(500), default="", server_default="")
    # Given up: refused by the server for good, out of attempts, or no longer allowed.
    failed_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The language the message was written in (the recipient's): its frame is sent in it too.
    language: Mapped[str | None] = mapped_column(String(8))


class SavedSearch(Base):
    """A search an account asked to be e-mailed about: new matching practices, daily or weekly."""

    __tablename__ = "saved_search"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    # The search's query string, as the search page takes it (checked when saved).
    query: Mapped[str] = mapped_column(String(2000))
    frequency: Mapped[str] = mapped_column(String(10), default="weekly")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Practices published after this are new to the next digest.
    checked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class AuditEntry(Base):
    """Who did what: sign-ins, failures, role changes, workflow decisions. Never passwords,
    tokens or practice bodies."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target: Mapped[str] = mapped_column(String(100), default="")
    address: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class RateCounter(Base):
    """Attempts per key and time window, kept in the database so every worker shares them."""

    __tablename__ = "rate_counter"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    # Seconds since the epoch: of the last attempt (for progressive delays), and after which
    # the row is of no use (pruned, so that a stream of made-up keys cannot pile up rows).
    last_at: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    expires_at: Mapped[int] = mapped_column(Integer, index=True, default=0, server_default="0")


class SearchMiss(Base):
    """Searches that found nothing, counted by query text only: what the repository lacks.
    No address, user or time of the person searching is kept."""

    __tablename__ = "search_miss"

    query: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


class ApiToken(Base):
    """A partner's API token: only its SHA-256 is stored; the token is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)


class Brief(Base):
    """An intervention brief: practices in order, each with the words the delegate will say.

    A visitor's brief is found by `key`, a random value kept in their signed session cookie;
    once they sign in it belongs to their account (`user_id`), which may keep several, by
    name. `share_token`, when set, lets anyone with the link read it.
    """

    __tablename__ = "brief"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120), default="")
    opening: Mapped[str] = mapped_column(Text, default="")
    closing: Mapped[str] = mapped_column(Text, default="")
    # The search words the practices were added from: what the brief is about.
    topic: Mapped[str] = mapped_column(String(200), default="")
    share_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)

    items: Mapped[list["BriefItem"]] = relationship(
        order_by="BriefItem.position", cascade="all, delete-orphan", lazy="selectin"
    )


class BriefItem(Base):
    """A practice in a brief; `text` is the delegate's own line, None for the suggested one."""

    __tablename__ = "brief_item"

    brief_id: Mapped[int] = mapped_column(
        ForeignKey("brief.id", ondelete="CASCADE"), primary_key=True
    )
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str | None] = mapped_column(Text)

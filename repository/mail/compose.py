"""An outbox row as the e-mail people receive: plain text and HTML, links made absolute with
the site's public address, and for optional messages an unsubscribe link (in the text and in the
List-Unsubscribe headers, one click in mail programs that offer it)."""

import re
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from itsdangerous import BadSignature, URLSafeSerializer
from markupsafe import Markup, escape

from repository.i18n import DEFAULT_LOCALE, _, direction, use_locale
from repository.models import EmailOutbox

_URL = re.compile(r"https?://[^\s<>\"]+")


def _serializer(secret: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret, salt="practice-hub-unsubscribe")


def unsubscribe_token(secret: str, user_id: int, topic: str) -> str:
    """Names one account and one topic; signed, so nobody can make one for someone else."""
    return _serializer(secret).dumps([user_id, topic])


def read_unsubscribe_token(secret: str, token: str) -> tuple[int, str] | None:
    try:
        value = _serializer(secret).loads(token)
    except BadSignature:
        return None
    if (
        isinstance(value, list)
        and len(value) == 2
        and isinstance(value[0], int)
        and isinstance(value[1], str)
    ):
        return value[0], value[1]
    return None


def absolute(base_url: str, path: str) -> str:
    return base_url.rstrip("/") + path if path.startswith("/") else path


def _linked(text: str) -> Markup:
    """Escaped text with its web addresses as links, paragraphs and line breaks kept."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = str(escape(block))
        linked = _URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', escaped)
        paragraphs.append("<p>" + linked.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(paragraphs))  # noqa: S704 - built from escaped text above


def compose(row: EmailOutbox, settings, resolve, templates) -> EmailMessage:
    """The message for one outbox row. `resolve` turns a link reference into a path;
    `templates` is the Jinja environment holding email/message.html."""
    link = absolute(settings.base_url, resolve(row.link)) if row.link else ""
    unsubscribe = ""
    if row.unsubscribe and row.user_id is not None:
        token = unsubscribe_token(settings.secret_key, row.user_id, row.unsubscribe)
        unsubscribe = absolute(settings.base_url, f"/email/unsubscribe/{token}")
    # The body was written in the recipient's language; the frame around it follows.
    language = row.language or DEFAULT_LOCALE
    with use_locale(language):
        text = row.body.strip()
        if link:
            text += "\n\n" + _("Open it: %(link)s") % {"link": link}
        text += "\n\n-- \n" + _(
            "Practice Hub, the UN.GIFT repository of good practices against trafficking."
        )
        if unsubscribe:
            text += "\n" + _("You receive these because you asked to. Stop them: %(link)s") % {
                "link": unsubscribe
            }
        html = templates.get_template("email/message.html").render(
            subject=row.subject,
            body=_linked(row.body),
            link=link,
            unsubscribe=unsubscribe,
            home=absolute(settings.base_url, "/"),
            language=language,
            direction=direction(language),
        )
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = formatdate(localtime=False)
    domain = settings.mail_from.rpartition("@")[2].strip("> ") or None
    message["Message-ID"] = make_msgid(idstring=f"outbox{row.id}", domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    if unsubscribe:
        message["List-Unsubscribe"] = f"<{unsubscribe}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text + "\n")
    message.add_alternative(html, subtype="html")
    # After the parts: making the message multipart moves every Content-* header into them.
    message["Content-Language"] = language
    return message

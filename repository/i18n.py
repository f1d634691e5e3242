"""Translations in the six UN languages, chosen per request.

The language of the request being served lives in a context variable (set by
`repository.languages.middleware`); `gettext` and the templates read it, so the same code serves
every language. Context variables follow a request into the thread pool, where views run.

Catalogues are `locale/<lang>/LC_MESSAGES/messages.po`. A compiled `.mo` beside one is used when
it is at least as new as the `.po`; otherwise the `.po` is compiled in memory at first use, so a
fresh clone works without a build step (`practices i18n compile` writes the `.mo` files).
"""

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "en"
# The six UN languages, in the UN's order (the Arabic alphabetical order of their English names).
LOCALES = ("ar", "zh", "en", "fr", "ru", "es")
RIGHT_TO_LEFT = frozenset({"ar"})
# A language's own name, as the switcher shows it (never translated: a reader looks for their own).
NATIVE_NAMES = {
    "ar": "العربية",
    "zh": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}

_current: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


def current_locale() -> str:
    return _current.get()


def direction(locale: str | None = None) -> str:
    return "rtl" if (locale or current_locale()) in RIGHT_TO_LEFT else "ltr"


@contextmanager
def use_locale(locale: str) -> Iterator[None]:
    """Run a block in a language (a brief exported in the delegate's language, a test)."""
    token = _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)
    try:
        yield
    finally:
        _current.reset(token)


def set_locale(locale: str) -> None:
    """For the request's own context: the middleware sets the language once per request."""
    _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


def catalogue_path(locale: str) -> Path:
    return LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"


def translations(locale: str | None = None) -> NullTranslations:
    """The catalogue of a language (of the current request when not named)."""
    return _translations(locale or current_locale())


@cache
def _translations(locale: str) -> NullTranslations:
    po = catalogue_path(locale)
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain="messages")
    if not po.exists():
        return NullTranslations()
    return Translations(io.BytesIO(compiled(po)), domain="messages")


def compiled(po: Path) -> bytes:
    """The .mo bytes of a catalogue; fuzzy entries are left out, as gettext does."""
    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> list[Path]:
    """Write every catalogue's .mo beside its .po; the paths written."""
    written = []
    for locale in LOCALES:
        po = catalogue_path(locale)
        if po.exists():
            po.with_suffix(".mo").write_bytes(compiled(po))
            written.append(po.with_suffix(".mo"))
    _translations.cache_clear()
    return written


def gettext(message: str) -> str:
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for extraction where it is defined; it is translated where it is shown."""
    return message


class Message(str):
    """English text that remembers its message id and values, so code and the API can keep
    comparing and sending the English while a page shows it in the reader's language."""

    msgid: str
    values: dict

    def __new__(cls, msgid: str, **values):
        text = super().__new__(cls, msgid % values if values else msgid)
        text.msgid, text.values = msgid, values
        return text


def translate(text: str) -> str:
    """A Message (or a plain message id) in the current language."""
    if isinstance(text, Message):
        found = gettext(text.msgid)
        return found % text.values if text.values else found
    return gettext(text) if text else text


def format_number(number) -> str:
    """A number as the reader's language writes it (digits, grouping)."""
    from babel.numbers import format_decimal

    return format_decimal(number, locale=babel_locale())


def format_day(moment) -> str:
    """A date as the reader's language writes it ("30 nov. 2026", "2026年11月30日")."""
    from babel.dates import format_date

    return format_date(moment, "medium", locale=babel_locale())


def format_moment(moment) -> str:
    """A date and time (UTC, as stored) as the reader's language writes them."""
    from babel.dates import format_datetime

    return format_datetime(moment, "short", tzinfo=None, locale=babel_locale())


def babel_locale(locale: str | None = None) -> Locale:
    return _babel_locale(locale or current_locale())


@cache
def _babel_locale(locale: str) -> Locale:
    return Locale.parse(locale)


_ = gettext

"""Translations. English only for now, but every user-facing string goes through gettext."""

from functools import cache
from pathlib import Path

from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT_LOCALE = "en"


@cache
def translations(locale: str = DEFAULT_LOCALE) -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [locale])


def gettext(message: str) -> str:
    return translations().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations().ngettext(singular, plural, n)


_ = gettext


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where shown."""
    return message

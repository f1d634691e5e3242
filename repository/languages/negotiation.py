"""Which language a request is served in: pure functions of what the request carries."""

from urllib.parse import urlencode

from repository.i18n import DEFAULT_LOCALE, LOCALES

PARAMETER = "lang"  # ?lang=fr: a link that opens in the sender's language
COOKIE = "practices_lang"  # a visitor's choice from the switcher
SESSION_KEY = "language"  # a signed-in account's choice, from its profile


def supported(code: object) -> str | None:
    """The UN language a code names ("fr", "fr-CH", "zh-Hans-CN", "ZH"), or None."""
    if not isinstance(code, str):
        return None
    primary = code.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LOCALES else None


def from_accept_language(header: str | None) -> str | None:
    """The first UN language in an Accept-Language header, by quality, then order."""
    ranked = []
    for position, part in enumerate((header or "")[:1000].split(",")[:40]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = supported(tag)
        if language and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def negotiate(
    parameter: str | None, session: str | None, cookie: str | None, accept: str | None
) -> str:
    """A language the URL names first, then the account's, the visitor's choice, the
    browser's, English."""
    return (
        supported(parameter)
        or supported(session)
        or supported(cookie)
        or from_accept_language(accept)
        or DEFAULT_LOCALE
    )


def without_language(path: str, query_pairs: list[tuple[str, str]]) -> str:
    """The same address without ?lang (where the switcher returns to)."""
    kept = [(k, v) for k, v in query_pairs if k != PARAMETER]
    return f"{path}?{urlencode(kept)}" if kept else path


def with_language(path: str, query_pairs: list[tuple[str, str]], language: str) -> str:
    """The same address in another language (hreflang alternates, shared links)."""
    kept = [(k, v) for k, v in query_pairs if k != PARAMETER]
    return f"{path}?{urlencode([*kept, (PARAMETER, language)])}"

"""Validation of a record's nested and shared parts: the shape of each text (length as sent,
no control characters), sources and translations. Used by practices.validation."""

from datetime import date
from urllib.parse import urlsplit

from repository.characters import clean as clean_text
from repository.characters import first_forbidden
from repository.i18n import Message
from repository.practices import textrules
from repository.vocabularies import LANGUAGES

MAX_SOURCES = 20
TITLE_MAX_CHARS = 200

Errors = list[tuple[str, str]]  # (field, reason); reasons are i18n.Message


def shape(value: str, field: str, errors: Errors, max_chars: int) -> bool:
    """Length (as sent, before trimming) and characters; False after recording an error."""
    if len(value) > max_chars:
        errors.append(
            (
                field,
                Message(
                    "must be at most %(limit)d characters (got %(count)d)",
                    limit=max_chars,
                    count=len(value),
                ),
            )
        )
        return False
    if bad := first_forbidden(value):
        # Forms and imports take these out; the JSON API refuses them, as its document says.
        errors.append(
            (field, Message("must not contain control characters (%(found)s)", found=bad))
        )
        return False
    return True


def valid_url(url: str) -> bool:
    if not textrules.matches(textrules.web_address(), url):
        return False
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def sources(record: dict, errors: Errors) -> list[dict]:
    value = record.get("sources", [])
    if value is None:
        return []
    if not isinstance(value, list):
        errors.append(("sources", Message("must be a list of {title, url} objects")))
        return []
    if len(value) > MAX_SOURCES:
        errors.append(("sources", Message("at most %(limit)d sources", limit=MAX_SOURCES)))
        return []
    found = []
    for position, item in enumerate(value, start=1):
        field = f"sources[{position}]"
        if not isinstance(item, dict) or set(item) - {"title", "publisher", "year", "url"}:
            errors.append(
                (
                    field,
                    Message("must be an object with 'title' and 'url', and 'publisher' and 'year'"),
                )
            )
            continue
        title, url = item.get("title"), item.get("url")
        if not isinstance(title, str) or not title.strip():
            errors.append((f"{field}.title", Message("must be a non-empty string")))
            continue
        if not shape(title, f"{field}.title", errors, 300):
            continue
        if not isinstance(url, str) or len(url) > 2000 or not valid_url(url):
            errors.append((f"{field}.url", Message("must be an http or https address")))
            continue
        if not shape(url, f"{field}.url", errors, 2000):
            continue
        publisher, year = item.get("publisher"), item.get("year")
        publisher = "" if publisher is None else publisher
        if not isinstance(publisher, str):
            errors.append((f"{field}.publisher", Message("must be a string")))
            continue
        if not shape(publisher, f"{field}.publisher", errors, 300):
            continue
        if year is not None and (
            isinstance(year, bool) or not isinstance(year, int) or not 1800 <= year <= latest_year()
        ):
            errors.append(
                (
                    f"{field}.year",
                    Message(
                        "must be a year from 1800 to %(latest)d, or null", latest=latest_year()
                    ),
                )
            )
            continue
        found.append(
            {
                "title": title.strip(),
                "publisher": publisher.strip(),
                "year": year,
                "url": url.strip(),
            }
        )
    return found


def latest_year() -> int:
    return date.today().year + 1


def translations(record: dict, own_language: str, errors: Errors) -> dict:
    value = record.get("translations")
    value = {} if value is None else value
    if not isinstance(value, dict):
        errors.append(
            ("translations", Message("must be an object of {language: {title, summary}}"))
        )
        return {}
    translated = {}
    for language in sorted(value, key=str):
        item = value[language]
        field = f"translations.{clean_text(str(language))[:8]}"
        if not valid_language(language):
            errors.append(
                (
                    field,
                    Message(
                        "must be one of the languages: %(allowed)s",
                        allowed=", ".join(LANGUAGES.values),
                    ),
                )
            )
            continue
        if not isinstance(item, dict) or set(item) != {"title", "summary"}:
            errors.append((field, Message("must be an object with 'title' and 'summary'")))
            continue
        title, summary = item["title"], item["summary"]
        if not isinstance(title, str) or not title.strip():
            errors.append(
                (
                    f"{field}.title",
                    Message("must be 1 to %(limit)d characters", limit=TITLE_MAX_CHARS),
                )
            )
            continue
        if not isinstance(summary, str) or not summary.strip():
            errors.append((f"{field}.summary", Message("must be 1 to 1,000 characters")))
            continue
        if not (
            shape(title, f"{field}.title", errors, TITLE_MAX_CHARS)
            and shape(summary, f"{field}.summary", errors, 1000)
        ):
            continue
        if language == own_language:  # checked last: a draft may hold it (DRAFT_TOLERATED)
            errors.append((field, Message("is the practice's own language")))
            continue
        translated[language] = {"title": title.strip(), "summary": summary.strip()}
    return translated


def valid_language(code: object) -> bool:
    return isinstance(code, str) and code in LANGUAGES


# What a draft may still have wrong: missing fields, and fields that disagree with each
# other (no OpenAPI schema can say so: the API takes such drafts, and submitting reports them).
# A value wrong on its own is an error at once.

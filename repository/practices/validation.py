"""Validation of a practice record: the JSON Lines format, also used by forms and the API.

`validate_record` returns the cleaned record and a list of (field, reason) errors; it never
raises on bad input, whatever its type.
"""

import re
from datetime import date

from repository import geography, scopes
from repository.characters import clean as clean_text
from repository.characters import first_forbidden
from repository.i18n import Message
from repository.practices.record_parts import (
    TITLE_MAX_CHARS,
    Errors,
    shape,
    sources,
    translations,
    valid_language,
)
from repository.vocabularies import (
    ACTOR_TYPES,
    EVIDENCE,
    EXPLOITATION_FORMS,
    INSTRUMENTS,
    LANGUAGES,
    PILLARS,
    PRACTICE_TYPES,
    STATUSES,
    TARGET_GROUPS,
    Vocabulary,
)

SUMMARY_MAX_WORDS = 60
TEXT_MAX_CHARS = 20_000
MAX_PARTNERS = 50
EARLIEST_YEAR = 1900

# Field order of the JSON Lines format; export writes keys in this order.
FIELDS = (
    "id",
    "title",
    "summary",
    "description",
    "results",
    "lessons_learned",
    "organisation",
    "partner_organisations",
    "actor_types",
    "countries",
    "scope",
    "scope_area",
    "pillars",
    "exploitation_forms",
    "target_groups",
    "instruments",
    "practice_type",
    "evidence",
    "start_year",
    "end_year",
    "language",
    "translations",
    "sources",
    "status",
    "last_verified",
)
# Each field's name for people, in the words the submission form uses (same messages).
LIST_FIELDS = {
    "actor_types": (ACTOR_TYPES, 1),
    "pillars": (PILLARS, 1),
    "exploitation_forms": (EXPLOITATION_FORMS, 0),
    "target_groups": (TARGET_GROUPS, 0),
    "instruments": (INSTRUMENTS, 0),
}
WORD = re.compile(r"\S+")


def word_count(text: str) -> int:
    return len(WORD.findall(text))


def _text(record: dict, field: str, errors: Errors, *, required: bool, max_chars: int) -> str:
    value = record.get(field)
    if value is None:
        if required:
            # Translators: follows the name of a field, e.g. "title: is required".
            errors.append((field, Message("is required")))
        return ""
    if not isinstance(value, str):
        errors.append((field, Message("must be a string")))
        return ""
    if not shape(value, field, errors, max_chars):
        return ""
    value = value.strip()
    if required and not value:
        errors.append((field, Message("must not be empty")))
    return value


def _choice(record: dict, field: str, vocabulary: Vocabulary, errors: Errors) -> str:
    value = record.get(field)
    if value is None:
        errors.append((field, Message("is required")))
    elif not isinstance(value, str) or value not in vocabulary:
        allowed = ", ".join(vocabulary.values)
        errors.append(
            (
                field,
                Message(
                    "unknown value %(value)s; expected one of: %(allowed)s",
                    value=repr(value),
                    allowed=allowed,
                ),
            )
        )
        return ""
    return value or ""


def _string_list(record: dict, field: str, errors: Errors) -> list[str] | None:
    value = record.get(field, [])
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        errors.append((field, Message("must be a list of strings")))
        return None
    return [item.strip() for item in value]


def _vocabulary_list(record: dict, field: str, errors: Errors) -> list[str]:
    vocabulary, minimum = LIST_FIELDS[field]
    values = _string_list(record, field, errors)
    if values is None:
        return []
    unknown = [v for v in values if v not in vocabulary]
    if unknown:
        errors.append(
            (
                field,
                Message(
                    "unknown value %(value)s; expected any of: %(allowed)s",
                    value=repr(unknown[0]),
                    allowed=", ".join(vocabulary.values),
                ),
            )
        )
        return []
    if len(set(values)) < minimum:
        errors.append((field, Message("needs at least %(minimum)d value", minimum=minimum)))
    return vocabulary.sort(values)


def _year(record: dict, field: str, errors: Errors, *, required: bool) -> int | None:
    value = record.get(field)
    if value is None:
        if required:
            errors.append((field, Message("is required")))
        return None
    # bool is an int in Python; a year is not.
    if isinstance(value, bool) or not isinstance(value, int):
        errors.append((field, Message("must be a whole number (a year)")))
        return None
    latest = date.today().year + 1
    if not EARLIEST_YEAR <= value <= latest:
        errors.append(
            (
                field,
                Message(
                    "must be between %(earliest)d and %(latest)d",
                    earliest=EARLIEST_YEAR,
                    latest=latest,
                ),
            )
        )
        return None
    return value


def _scope(record: dict, countries: list[str], errors: Errors) -> tuple[str, str | None]:
    scope = record.get("scope")
    if scope is None:
        scope = scopes.default_scope(countries)
    if scope == "":
        # Not chosen yet (a draft from the form): never guessed, so never "global" unasked.
        errors.append(("scope", "is required"))
        return "", None
    if not isinstance(scope, str) or scope not in dict(scopes.SCOPES):
        errors.append(("scope", Message("must be one of: national, regional, global")))
        return scopes.default_scope(countries), None
    area = record.get("scope_area")
    if area is not None and not isinstance(area, str):
        errors.append(("scope_area", Message("must be the key of an area, or null")))
        area = None
    if area not in (None, "") and area not in scopes.AREAS:
        errors.append(("scope_area", Message("unknown area %(area)s", area=repr(str(area)[:40]))))
        area = None
    if scope == "regional":
        if area is None or area == "":
            errors.append(("scope_area", Message("is required for a regional practice")))
            area = None
    elif area not in (None, ""):
        errors.append(("scope_area", Message("is only for regional practices")))
        area = None
    else:
        area = None
    if scope == "national" and not countries:
        errors.append(("countries", Message("needs at least one country for a national practice")))
    if scope == "global" and countries:
        errors.append(("countries", Message("must be empty for a global practice")))
    return scope, area


DRAFT_TOLERATED = (
    "is required",
    "must not be empty",
    "needs at least",
    "must not be before start_year",
    "must be empty for a global practice",
    "is only for regional practices",
    "is the practice's own language",
)


def validate_record(record: object, draft: bool = False) -> tuple[dict, Errors]:
    """Check one practice record; return it cleaned and normalised, with any errors.

    A draft may be incomplete or inconsistent (DRAFT_TOLERATED); wrong values are still
    errors. Control characters are errors: forms and imports take them out before this.
    """
    cleaned, errors = _validate(record)
    if draft:
        errors = [(f, reason) for f, reason in errors if not reason.startswith(DRAFT_TOLERATED)]
    return cleaned, errors


def _validate(record: object) -> tuple[dict, Errors]:
    errors: Errors = []
    if not isinstance(record, dict):
        return {}, [("(line)", Message("must be a JSON object"))]
    for key in record:
        if key not in FIELDS:
            errors.append((clean_text(str(key))[:60], Message("unknown field")))

    clean: dict = {}
    record_id = record.get("id")
    if record_id is not None and (
        isinstance(record_id, bool) or not isinstance(record_id, int) or not 0 < record_id < 2**31
    ):
        errors.append(("id", Message("must be a positive whole number")))
    clean["id"] = record_id if "id" not in {f for f, _ in errors} else None

    clean["title"] = _text(record, "title", errors, required=True, max_chars=TITLE_MAX_CHARS)
    clean["summary"] = _text(record, "summary", errors, required=True, max_chars=1000)
    if clean["summary"] and word_count(clean["summary"]) > SUMMARY_MAX_WORDS:
        errors.append(
            (
                "summary",
                Message(
                    "must be at most %(limit)d words (got %(count)d)",
                    limit=SUMMARY_MAX_WORDS,
                    count=word_count(clean["summary"]),
                ),
            )
        )
    for field in ("description", "results", "lessons_learned"):
        clean[field] = _text(record, field, errors, required=False, max_chars=TEXT_MAX_CHARS)
    clean["organisation"] = _text(record, "organisation", errors, required=True, max_chars=300)

    raw_partners = record.get("partner_organisations")
    raw_partners = raw_partners if isinstance(raw_partners, list) else []
    partners = _string_list(record, "partner_organisations", errors) or []
    if len(partners) > MAX_PARTNERS or any(
        not p or len(raw) > 300 for p, raw in zip(partners, raw_partners, strict=False)
    ):
        errors.append(
            (
                "partner_organisations",
                Message("names must be 1 to 300 characters, at most 50 of them"),
            )
        )
        partners = []
    elif bad := next(filter(None, map(first_forbidden, partners)), None):
        errors.append(
            (
                "partner_organisations",
                Message("must not contain control characters (%(found)s)", found=bad),
            )
        )
        partners = []
    clean["partner_organisations"] = list(dict.fromkeys(partners))

    for field in LIST_FIELDS:
        clean[field] = _vocabulary_list(record, field, errors)

    codes = _string_list(record, "countries", errors) or []
    unknown = [code for code in codes if geography.country(code) is None]
    if unknown:
        errors.append(
            ("countries", Message("unknown ISO 3166 alpha-3 code %(code)s", code=repr(unknown[0])))
        )
    clean["countries"] = sorted(set(codes) - set(unknown))
    clean["scope"], clean["scope_area"] = _scope(record, clean["countries"], errors)

    clean["practice_type"] = _choice(record, "practice_type", PRACTICE_TYPES, errors)
    clean["evidence"] = _choice(record, "evidence", EVIDENCE, errors)
    clean["start_year"] = _year(record, "start_year", errors, required=True)
    clean["end_year"] = _year(record, "end_year", errors, required=False)
    if clean["start_year"] and clean["end_year"] and clean["end_year"] < clean["start_year"]:
        errors.append(("end_year", Message("must not be before start_year")))

    language = record.get("language", "en")
    if not valid_language(language):
        errors.append(
            (
                "language",
                Message(
                    "must be one of: %(allowed)s (got %(value)s)",
                    allowed=", ".join(LANGUAGES.values),
                    value=repr(language),
                ),
            )
        )
    clean["language"] = language if isinstance(language, str) else "en"
    clean["translations"] = translations(record, clean["language"], errors)

    clean["sources"] = sources(record, errors)
    status = record.get("status", "draft")
    if status not in STATUSES:
        errors.append(
            (
                "status",
                Message(
                    "unknown value %(value)s; expected one of: %(allowed)s",
                    value=repr(status),
                    allowed=", ".join(STATUSES.values),
                ),
            )
        )
    clean["status"] = status if isinstance(status, str) else "draft"

    verified = record.get("last_verified")
    clean["last_verified"] = None
    if verified is not None:
        try:
            clean["last_verified"] = date.fromisoformat(verified).isoformat()
        except (TypeError, ValueError):
            errors.append(("last_verified", Message("must be a date as YYYY-MM-DD")))
    return {field: clean[field] for field in FIELDS}, errors

"""The JSON Schema of a practice record (POST /api/submissions), from the same limits, patterns
and vocabularies the validator uses, so that what the document allows the server takes.

What no schema can say (end_year before start_year, countries on a global practice, an area
on a practice that is not regional, a translation into the practice's own language) a draft
may hold: submitting it reports them (practices.validation.DRAFT_TOLERATED). Every field may
be null or left out, as in a draft.
"""

from datetime import date

from repository import facets, scopes
from repository.practices import textrules
from repository.practices.record_parts import MAX_SOURCES, TITLE_MAX_CHARS
from repository.practices.validation import (
    EARLIEST_YEAR,
    MAX_PARTNERS,
    SUMMARY_MAX_WORDS,
    TEXT_MAX_CHARS,
)
from repository.vocabularies import LANGUAGES, TAG_VOCABULARIES

IGNORED = "Ignored: the server sets it (a new submission is a draft)."


def _text(max_length: int, pattern: str | None = None, **extra) -> dict:
    return {
        "type": "string",
        "maxLength": max_length,
        "pattern": pattern or textrules.any_text(),
        "nullable": True,
        **extra,
    }


def _choice(values, **extra) -> dict:
    return {"type": "string", "enum": [*values, None], "nullable": True, **extra}


def _list(values=None, **items) -> dict:
    item = {"type": "string", "enum": list(values)} if values is not None else items
    return {"type": "array", "nullable": True, "items": item}


def _year(minimum: int) -> dict:
    return {"type": "integer", "minimum": minimum, "maximum": date.today().year + 1}


def _translation() -> dict:
    non_blank = textrules.non_blank()
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "summary"],
        "properties": {
            "title": {"type": "string", "maxLength": TITLE_MAX_CHARS, "pattern": non_blank},
            "summary": {"type": "string", "maxLength": 1000, "pattern": non_blank},
        },
    }


def _source() -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["title", "url"],
        "properties": {
            "title": {"type": "string", "maxLength": 300, "pattern": textrules.non_blank()},
            "url": {"type": "string", "maxLength": 2000, "pattern": textrules.web_address()},
            "publisher": _text(300),
            "year": {**_year(1800), "nullable": True},
        },
    }


def record_properties() -> dict:
    """Each field of a record: its type, limits, pattern and allowed values."""
    lists = {f.key: f for f in facets.FACET_LIST if f.key in TAG_VOCABULARIES}
    properties = {
        "id": {"description": IGNORED},
        "title": _text(TITLE_MAX_CHARS),
        "summary": _text(
            1000,
            textrules.at_most_words(SUMMARY_MAX_WORDS),
            description=f"At most {SUMMARY_MAX_WORDS} words.",
        ),
        **{field: _text(TEXT_MAX_CHARS) for field in ("description", "results", "lessons_learned")},
        "organisation": _text(300, description="Empty or null: your own organisation."),
        "partner_organisations": {
            **_list(type="string", maxLength=300, pattern=textrules.non_blank()),
            "maxItems": MAX_PARTNERS,
        },
        **{key: _list(facet.values) for key, facet in lists.items()},
        "countries": _list(facets.facet("country").values),
        "scope": _choice(
            [*(value for value, _label in scopes.SCOPES), ""],
            description="Empty: not chosen yet (submitting asks for it). Null or left out: "
            "national when countries are given, else global.",
        ),
        "scope_area": _choice([*scopes.AREAS, ""], description="Only for a regional practice."),
        "practice_type": _choice(facets.BY_KEY["practice_type"].values),
        "evidence": _choice(facets.BY_KEY["evidence"].values),
        "start_year": {**_year(EARLIEST_YEAR), "nullable": True},
        "end_year": {
            **_year(EARLIEST_YEAR),
            "nullable": True,
            "description": "Null while ongoing; not before start_year.",
        },
        "language": {"type": "string", "enum": list(LANGUAGES.values)},
        "translations": {
            "type": "object",
            "nullable": True,
            "description": "Title and summary in other languages than the practice's own.",
            "additionalProperties": False,
            "properties": {language: _translation() for language in LANGUAGES.values},
        },
        "sources": {
            "type": "array",
            "nullable": True,
            "maxItems": MAX_SOURCES,
            "items": _source(),
        },
        "status": {"description": IGNORED},
        "last_verified": {"description": IGNORED},
    }
    return properties


def record_schema() -> dict:
    return {"type": "object", "additionalProperties": False, "properties": record_properties()}

"""The dicts built from a practice: the interchange record and the public document.

The public document is the one serializer: the JSON API returns it, the pages render it and the
search index is fed from it.
"""

from repository import geography, scopes
from repository.models import Practice
from repository.practices.validation import FIELDS
from repository.vocabularies import TAG_VOCABULARIES


def to_record(practice: Practice) -> dict:
    """The JSON Lines record of a practice, keys in format order, lists in display order."""
    record = {
        "id": practice.id,
        "title": practice.title,
        "summary": practice.summary,
        "description": practice.description,
        "results": practice.results,
        "lessons_learned": practice.lessons_learned,
        "organisation": practice.organisation.name,
        "partner_organisations": [p.organisation.name for p in practice.partners],
        "countries": practice.country_codes,
        "scope": practice.scope,
        "scope_area": practice.scope_area,
        # A draft keeps "" for a choice not made yet; the record says so with null, as the
        # format does (an empty string is not a value: it read "unknown value ''").
        "practice_type": practice.practice_type or None,
        "evidence": practice.evidence or None,
        "start_year": practice.start_year,
        "end_year": practice.end_year,
        "language": practice.language,
        "translations": {
            t.language: {"title": t.title, "summary": t.summary} for t in practice.translations
        },
        "sources": [
            {"title": s.title, "publisher": s.publisher, "year": s.year, "url": s.url}
            for s in practice.sources
        ],
        "status": practice.status,
        "last_verified": practice.last_verified.isoformat() if practice.last_verified else None,
    }
    for name, vocabulary in TAG_VOCABULARIES.items():
        record[name] = vocabulary.sort(practice.tag_values(name))
    return {field: record[field] for field in FIELDS}


def to_public(practice: Practice) -> dict:
    """The public document of a published practice."""
    record = to_record(practice)
    del record["status"]
    countries = [geography.country(code) for code in record["countries"]]
    countries = [c for c in countries if c is not None]
    record.update(
        url=f"/practices/{practice.id}",
        organisation_actor_type=practice.organisation.actor_type,
        is_global=practice.scope == scopes.GLOBAL,
        scope_area_name=scopes.AREAS[practice.scope_area].name if practice.scope_area else None,
        country_names=[c.name for c in countries],
        **scopes.places(practice.scope, practice.scope_area, record["countries"]),
        ongoing=practice.end_year is None,
        published_at=practice.published_at.isoformat() if practice.published_at else None,
        updated_at=practice.updated_at.isoformat() if practice.updated_at else None,
    )
    return record


CARD_FIELDS = (
    "id",
    "url",
    "title",
    "summary",
    "organisation",
    "countries",
    "country_names",
    "is_global",
    "scope",
    "scope_area_name",
    "pillars",
    "actor_types",
    "start_year",
    "end_year",
    "ongoing",
    "practice_type",
    "published_at",
    # A result is shown in the reader's language where the practice has a translation.
    "language",
    "translations",
)


def index_document(practice: Practice) -> dict:
    """What the search index receives: the public document plus the card it hands back."""
    document = to_public(practice)
    document["card"] = {key: document[key] for key in CARD_FIELDS}
    return document


def preview_document(record: dict) -> dict:
    """What the public page would show of a record that is not published (yet): the public
    document's keys, built from the record alone."""
    document = {key: value for key, value in record.items() if key != "status"}
    countries = [geography.country(code) for code in record.get("countries") or []]
    countries = [c for c in countries if c is not None]
    scope, area = record.get("scope") or "", record.get("scope_area")
    places = {"regions": [], "subregions": [], "un_groups": []}
    if scope in dict(scopes.SCOPES):
        places = scopes.places(scope, area, record.get("countries") or [])
    document.update(
        url="",
        organisation_actor_type=(record.get("actor_types") or [""])[0],
        is_global=scope == scopes.GLOBAL,
        scope_area_name=scopes.AREAS[area].name if area in scopes.AREAS else None,
        country_names=[c.name for c in countries],
        **places,
        ongoing=record.get("end_year") is None,
        published_at=None,
        updated_at=None,
    )
    return document

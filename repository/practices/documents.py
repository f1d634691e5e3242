"""The dicts built from a practice: the interchange record and the public document.

The public document is the one serializer: the JSON API returns it, the pages render it and the
search index is fed from it.
"""

from repository import geography
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
        "practice_type": practice.practice_type,
        "evidence": practice.evidence,
        "start_year": practice.start_year,
        "end_year": practice.end_year,
        "language": practice.language,
        "sources": [{"title": s.title, "url": s.url} for s in practice.sources],
        "status": practice.status,
        "last_verified": practice.last_verified.isoformat() if practice.last_verified else None,
    }
    for name, vocabulary in TAG_VOCABULARIES.items():
        record[name] = vocabulary.sort(practice.tag_values(name))
    return {field: record[field] for field in FIELDS}


def _distinct(values) -> list[str]:
    return sorted({v for v in values if v})


def to_public(practice: Practice) -> dict:
    """The public document of a published practice."""
    record = to_record(practice)
    del record["status"]
    countries = [geography.country(code) for code in record["countries"]]
    countries = [c for c in countries if c is not None]
    record.update(
        url=f"/practices/{practice.id}",
        organisation_actor_type=practice.organisation.actor_type,
        is_global=not countries,
        country_names=[c.name for c in countries],
        regions=_distinct(c.region for c in countries),
        subregions=_distinct(c.subregion for c in countries),
        un_groups=_distinct(c.un_group for c in countries),
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
    "pillars",
    "actor_types",
    "start_year",
    "end_year",
    "ongoing",
    "practice_type",
    "published_at",
)


def index_document(practice: Practice) -> dict:
    """What the search index receives: the public document plus the card it hands back."""
    document = to_public(practice)
    document["card"] = {key: document[key] for key in CARD_FIELDS}
    return document

"""Published practices that look like a submission: same organisation, countries and years, or a
similar title."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from repository.models import Organisation, Practice, PracticeCountry

LIMIT = 5


def similar_published(session: Session, index, record: dict, exclude: int | None = None):
    found: list[Practice] = []
    organisation = (record.get("organisation") or "").strip()
    if organisation:
        query = (
            select(Practice)
            .join(Organisation, Organisation.id == Practice.organisation_id)
            .where(Practice.status == "published", Organisation.name == organisation)
        )
        if record.get("countries"):
            query = query.where(
                Practice.countries.any(PracticeCountry.country_code.in_(record["countries"]))
            )
        if record.get("start_year"):
            query = query.where(
                Practice.start_year.between(record["start_year"] - 2, record["start_year"] + 2)
            )
        found.extend(session.scalars(query.limit(LIMIT)).unique())
    title = (record.get("title") or "").strip()
    if title and index is not None:
        try:
            ids = [practice_id for practice_id, _card in index.related(title, limit=LIMIT)]
        except Exception:  # the index may be rebuilding; the check is a help, not a gate
            ids = []
        for practice_id in ids:
            practice = session.get(Practice, practice_id)
            if practice is not None and practice.status == "published":
                found.append(practice)
    unique, seen = [], {exclude}
    for practice in found:
        if practice.id not in seen:
            seen.add(practice.id)
            unique.append(practice)
    return unique[:LIMIT]

"""Published practices that look like a submission, each with how much and why: the same lead
organisation, words of the title, countries. Only those above a threshold are shown, so the
partner (and the curator) never wades through unrelated ones."""

import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from repository import geography
from repository.i18n import _, ngettext
from repository.models import Organisation, Practice

LIMIT = 5
THRESHOLD = 0.3
CANDIDATES = 20
WEIGHTS = {"organisation": 0.35, "title": 0.45, "countries": 0.2}
# Words that say nothing about which practice it is, in the languages titles are written in.
STOPWORDS = frozenset(
    """the and for with from into against of on in to by its their
    les des pour avec contre dans une sur aux par
    los las del para con contra una por sobre
    national programme program project projet proyecto
    """.split()
)
_WORD = re.compile(r"\w+")


def words(text: str) -> set[str]:
    """Significant words of a title: case and accents ignored, short and common words out."""
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return {w for w in _WORD.findall(plain) if len(w) > 2 and w not in STOPWORDS}


@dataclass
class LookAlike:
    practice: Practice
    score: float
    reasons: list[str]

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def compare(record: dict, practice: Practice) -> LookAlike:
    """How much a published practice looks like the record, and why."""
    reasons, score = [], 0.0
    lead = (record.get("organisation") or "").strip().casefold()
    if lead and lead == practice.organisation.name.strip().casefold():
        score += WEIGHTS["organisation"]
        reasons.append(_("same lead organisation"))
    mine, theirs = words(record.get("title") or ""), words(practice.title)
    shared = mine & theirs
    if shared:
        score += WEIGHTS["title"] * _jaccard(mine, theirs)
        reasons.append(_("title words in common: %(words)s") % {"words": ", ".join(sorted(shared))})
    countries = set(record.get("countries") or [])
    common = countries & set(practice.country_codes)
    if common:
        score += WEIGHTS["countries"] * _jaccard(countries, set(practice.country_codes))
        names = sorted(
            (geography.country(code).name if geography.country(code) else code) for code in common
        )
        reasons.append(
            ngettext("same country: %(names)s", "same countries: %(names)s", len(names))
            % {"names": ", ".join(names)}
        )
    elif record.get("scope") == "global" and practice.scope == "global":
        score += WEIGHTS["countries"] / 2
        reasons.append(_("both global"))
    return LookAlike(practice, round(score, 3), reasons)


def _candidates(session: Session, index, record: dict) -> list[Practice]:
    found: dict[int, Practice] = {}
    lead = (record.get("organisation") or "").strip()
    if lead:
        query = (
            select(Practice)
            .join(Organisation, Organisation.id == Practice.organisation_id)
            .where(
                Practice.status == "published",
                func.lower(Organisation.name) == lead.lower(),
            )
            .limit(CANDIDATES)
        )
        found.update((p.id, p) for p in session.scalars(query).unique())
    title = (record.get("title") or "").strip()
    if title and index is not None:
        try:
            ids = [practice_id for practice_id, _card in index.related(title, limit=CANDIDATES)]
        except Exception:  # the index may be rebuilding; the check is a help, not a gate
            ids = []
        for practice_id in ids:
            practice = session.get(Practice, practice_id)
            if practice is not None and practice.status == "published":
                found.setdefault(practice.id, practice)
    return list(found.values())


def look_alikes(
    session: Session, index, record: dict, exclude: int | None = None, threshold=THRESHOLD
) -> list[LookAlike]:
    """The published practices most like the record, above the threshold, most alike first."""
    scored = [
        compare(record, practice)
        for practice in _candidates(session, index, record)
        if practice.id != exclude
    ]
    scored = [s for s in scored if s.score >= threshold]
    scored.sort(key=lambda s: (-s.score, s.practice.id))
    return scored[:LIMIT]

"""The intervention brief: practices a delegate picked, turned into lines to speak and cite.

The brief lives in the session (no account needed): a list of practice ids, in order. Only
published practices are ever shown; an id that stopped being published simply drops out.
"""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from repository import geography
from repository.models import Practice
from repository.practices.documents import to_public
from repository.vocabularies import ACTOR_TYPES, PILLARS

MAX_ITEMS = 20
WORDS_PER_MINUTE = 130
LIMIT_SECONDS = 180  # interventions from the floor: 3 minutes, about 400 words
LINE_WORDS = 30
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"\S+")


def brief_ids(session_data: dict) -> list[int]:
    ids = session_data.get("brief", [])
    return [i for i in ids if isinstance(i, int)][:MAX_ITEMS]


def spoken_line(document: dict) -> str:
    """One sentence a delegate can say: the result if one is given, else the summary."""
    source = document.get("results") or document.get("summary") or ""
    source = re.sub(r"[*_`#>\[\]]", "", source).strip()
    sentence = _SENTENCE.split(source, maxsplit=1)[0] if source else ""
    words = sentence.split()
    if len(words) > LINE_WORDS:
        sentence = " ".join(words[:LINE_WORDS]).rstrip(",;:") + "…"
    return sentence


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def _place(document: dict) -> str:
    """Short enough to say: up to three countries by name, else how many."""
    names = document["country_names"]
    if document.get("is_global"):
        return "Global"
    if not names:
        return document.get("scope_area_name") or "Global"
    return ", ".join(names) if len(names) <= 3 else f"{len(names)} countries"


def _years(document: dict) -> str:
    end = document["end_year"]
    return f"{document['start_year']}" + (
        f"–{end}" if end and end != document["start_year"] else ""
    )


def item(document: dict, base_url: str) -> dict:
    line = spoken_line(document)
    spoken = f"{document['organisation']}, {_place(document)}, {_years(document)}: {line}"
    return {
        "id": document["id"],
        "title": document["title"],
        "organisation": document["organisation"],
        "place": _place(document),
        "years": _years(document),
        "pillars": document["pillars"],
        "line": line,
        "spoken": spoken,
        "citation": f"{document['title']}, {document['organisation']} ({_years(document)}). "
        f"Practice Hub, {base_url}{document['url']}",
        "url": document["url"],
        "permalink": f"{base_url}{document['url']}",
        "countries": document["countries"],
        "un_groups": document["un_groups"],
        "actor_types": document["actor_types"],
    }


def balance(items: list[dict]) -> dict:
    """What the selection covers and lacks, by pillar, UN regional group and actor type."""
    pillars = {p for i in items for p in i["pillars"]}
    groups = {g for i in items for g in i["un_groups"]}
    actors = {a for i in items for a in i["actor_types"]}
    return {
        "pillars": [(v, label, v in pillars) for v, label in PILLARS.terms],
        "un_groups": [(v, label, v in groups) for v, label in geography.UN_GROUPS],
        "actor_types": [(v, label, v in actors) for v, label in ACTOR_TYPES.terms[:4]],
        "missing": {
            "pillar": [v for v in PILLARS.values if v not in pillars],
            "un_group": [v for v, _ in geography.UN_GROUPS if v not in groups],
            "actor_type": [v for v in ACTOR_TYPES.values[:4] if v not in actors],
        },
    }


def build(session: Session, ids: list[int], base_url: str) -> dict:
    """The one serializer of a brief: page, print, PDF, text and JSON all use it."""
    practices = {
        p.id: p
        for p in session.scalars(
            select(Practice).where(Practice.id.in_(ids), Practice.status == "published")
        ).unique()
    }
    items = [item(to_public(practices[i]), base_url) for i in ids if i in practices]
    words = sum(word_count(i["spoken"]) for i in items)
    seconds = round(words * 60 / WORDS_PER_MINUTE)
    return {
        "items": items,
        "word_count": words,
        "seconds": seconds,
        "speaking_time": f"{seconds // 60}:{seconds % 60:02d}",
        "over_limit": seconds > LIMIT_SECONDS,
        "limit_words": LIMIT_SECONDS * WORDS_PER_MINUTE // 60,
        "balance": balance(items),
    }


def suggestions(index, brief: dict, limit: int = 4) -> list[dict]:
    """Well-matched practices that fill a gap: a missing pillar first, then a missing group."""
    from search import SearchParams

    if not brief["items"]:
        return []
    chosen = {i["id"] for i in brief["items"]}
    # Words the selection has in common stand for its topic.
    topic = " OR ".join(
        sorted({w for i in brief["items"] for w in i["title"].lower().split() if len(w) > 5})[:8]
    )
    found = []
    for facet, values in brief["balance"]["missing"].items():
        for value in values:
            for q in (topic, ""):
                result = index.search(
                    SearchParams.build(
                        {facet: [value]}, q=q, per_page=5, sort="relevance" if q else "newest"
                    )
                )
                pick = next((i for i in result.ids if i not in chosen), None)
                if pick is not None:
                    chosen.add(pick)
                    card = result.cards[pick]
                    found.append(
                        {
                            "id": pick,
                            "title": card["title"],
                            "url": card["url"],
                            "fills": facet,
                            "value": value,
                        }
                    )
                    break
            if len(found) >= limit:
                return found
    return found


def as_text(brief: dict) -> str:
    """Plain text to paste into a speech: the lines to say, then the citations."""
    lines = [f"{n}. {i['spoken']}" for n, i in enumerate(brief["items"], start=1)]
    cites = [f"[{n}] {i['citation']}" for n, i in enumerate(brief["items"], start=1)]
    header = (
        f"Intervention brief: {brief['word_count']} words, about {brief['speaking_time']} spoken"
    )
    return "\n".join([header, "", *lines, "", "Sources", *cites]) + "\n"


def build_for(db, ids: list[int], base_url: str) -> dict:
    with db.read() as session:
        return build(session, ids, base_url)

"""What a brief covers and lacks (pillars, UN regional groups, the main actor types), and
practices on the brief's own topic that would fill a gap."""

import re
from collections import Counter

from repository import geography
from repository.i18n import N_, _
from repository.vocabularies import ACTOR_TYPES, PILLARS
from search import SearchParams

MAIN_ACTORS = ACTOR_TYPES.terms[:4]
TOPIC_WORDS = 6
# Words every practice shares: they say nothing about what this brief is about.
_PLAIN = frozenset(
    """the and of on for against in to with a an by its their at from as is are was were has
    have had that this which who it be been into under over more than also after before about
    since first national international human trafficking traffickers trafficked persons person
    people beings victims victim combat combating fight fighting source practice practices
    government governments law act plan action programme project report new state states
    country countries year years un united nations""".split()
)
GAPS = (
    # Translators: why a practice is suggested for the brief; the label is a P-pillar.
    ("pillar", "pillars", PILLARS.terms, N_("adds the %(label)s pillar on this topic")),
    (
        "un_group",
        "un_groups",
        geography.UN_GROUPS,
        # Translators: the label is a UN regional group, e.g. "African Group".
        N_("adds a practice from the %(label)s on this topic"),
    ),
    # Translators: the label is a kind of actor, e.g. "Private sector".
    ("actor_type", "actor_types", MAIN_ACTORS, N_("adds an actor on this topic: %(label)s")),
)


def balance(items: list[dict]) -> dict:
    """Each pillar, UN regional group and main actor type, and whether the brief covers it."""
    covered = {key: {v for i in items for v in i[key]} for _f, key, _t, _r in GAPS}
    return {
        "pillars": [(v, label, v in covered["pillars"]) for v, label in PILLARS.terms],
        "un_groups": [(v, label, v in covered["un_groups"]) for v, label in geography.UN_GROUPS],
        "actor_types": [(v, label, v in covered["actor_types"]) for v, label in MAIN_ACTORS],
        "missing": {
            facet: [v for v, _label in terms if v not in covered[key]]
            for facet, key, terms, _r in GAPS
        },
    }


def topic_of(brief: dict) -> str:
    """What the brief is about: the words of the search that built it (or that the delegate
    wrote), else the words its practices share most."""
    if brief.get("topic"):
        return brief["topic"]
    counts: Counter = Counter()
    for entry in brief["items"]:
        text = f"{entry['title']} {entry['spoken']}"
        words = {w for w in re.findall(r"[a-z][a-z-]{3,}", text.lower()) if w not in _PLAIN}
        counts.update(words)
    shared = [w for w, n in counts.most_common() if n > 1] or [w for w, _n in counts.most_common()]
    return " ".join(shared[:TOPIC_WORDS])


def suggestions(index, brief: dict, limit: int = 4) -> dict:
    """Practices that match the brief's topic and fill a gap, with the reason; and the gaps
    nothing on this topic fills (worth knowing too). Never a practice off the topic."""
    if not brief["items"]:
        return {"topic": "", "found": [], "unfilled": []}
    topic = topic_of(brief)
    chosen = {i["id"] for i in brief["items"]}
    found, unfilled = [], []
    labels = {facet: dict(terms) for facet, _key, terms, _r in GAPS}
    reasons = {facet: reason for facet, _key, _terms, reason in GAPS}
    for facet, values in brief["balance"]["missing"].items():
        for value in values:
            if len(found) >= limit:
                break
            label = labels[facet][value]
            result = index.search(
                SearchParams.build({facet: [value]}, q=topic, per_page=5, sort="relevance")
            )
            pick = next((i for i in result.ids if i not in chosen), None) if topic else None
            if pick is None:
                unfilled.append({"fills": facet, "value": value, "label": label})
                continue
            chosen.add(pick)
            card = result.cards[pick]
            found.append(
                {
                    "id": pick,
                    "title": card["title"],
                    "url": card["url"],
                    "organisation": card["organisation"],
                    "fills": facet,
                    "value": value,
                    "label": label,
                    "reason": _(reasons[facet]) % {"label": _(label)},
                }
            )
    return {"topic": topic, "found": found, "unfilled": unfilled}

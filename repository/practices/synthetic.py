"""A deterministic generator of realistic practice records, for benchmarks and load tests.

The same (count, seed) always gives the same records. Text is assembled from domain phrases so
that word frequencies, lengths and tag co-occurrence look like real submissions, not lorem ipsum.
"""

import random

from repository import geography, scopes
from repository.vocabularies import (
    ACTOR_TYPES,
    EVIDENCE,
    EXPLOITATION_FORMS,
    INSTRUMENTS,
    PILLARS,
    PRACTICE_TYPES,
    TARGET_GROUPS,
)

ACTIONS = {
    "prevention": [
        "awareness campaign",
        "school curriculum",
        "supply-chain audit",
        "ethical recruitment scheme",
        "community radio programme",
        "labour migration briefing",
        "hotline promotion",
    ],
    "protection": [
        "shelter network",
        "national referral mechanism",
        "legal aid service",
        "reflection period",
        "reintegration grant",
        "victim identification protocol",
        "guardianship scheme",
    ],
    "prosecution": [
        "specialised prosecution unit",
        "joint investigation team",
        "case law database",
        "financial investigation training",
        "model legislation",
        "judicial training course",
    ],
    "partnership": [
        "multi-stakeholder platform",
        "memorandum of understanding",
        "regional coordination forum",
        "data-sharing agreement",
        "national rapporteur",
        "code of conduct",
    ],
}
SECTORS = [
    "agriculture",
    "construction",
    "domestic work",
    "fishing",
    "garment manufacturing",
    "hospitality",
    "mining",
    "tourism",
    "transport",
    "online platforms",
]
ORG_KINDS = {
    "government": [
        "Ministry of Labour",
        "Ministry of the Interior",
        "National Police",
        "Office of the Prosecutor",
        "Labour Inspectorate",
        "National Rapporteur",
    ],
    "private_sector": [
        "Hotel Association",
        "Garment Exporters Council",
        "Shipping Federation",
        "Retail Group",
    ],
    "ngo": [
        "Women's Rights Centre",
        "Migrant Workers Support Network",
        "Child Protection Alliance",
        "Legal Aid Society",
    ],
    "media": ["Public Broadcaster", "Journalists' Network", "Community Radio Association"],
    "un_entity": ["UNODC Country Office", "IOM Mission", "UNICEF Country Office", "ILO Office"],
    "intergovernmental": ["Regional Economic Community", "Regional Police Cooperation Office"],
    "trade_union": ["Federation of Trade Unions", "Domestic Workers Union"],
    "employers_organisation": ["Employers' Confederation"],
    "academia": ["University Migration Centre", "Institute of Criminology"],
    "multi_stakeholder": ["Anti-Trafficking Coalition", "Responsible Sourcing Initiative"],
}
OUTCOMES = [
    "trained {n} frontline officers",
    "reached an estimated {n} young people",
    "referred {n} people to services",
    "supported {n} prosecutions",
    "audited {n} suppliers",
    "published {n} research briefs",
    "set up {n} local coordination groups",
]
LESSONS = [
    "Joint ownership by government and civil society kept the work going after funding ended.",
    "Involving survivors as advisers made the materials more credible.",
    "Clear referral pathways mattered more than the number of people trained.",
    "Data protection rules had to be agreed before any information could be shared.",
    "Working in local languages doubled the reach of the campaign.",
]
PILLAR_WEIGHTS = [0.40, 0.28, 0.20, 0.12]
ACTOR_WEIGHTS = [0.34, 0.12, 0.24, 0.06, 0.08, 0.06, 0.03, 0.02, 0.03, 0.02]


def _pick(rng: random.Random, values, weights, k_max: int) -> list[str]:
    k = rng.choice([1, 1, 1, 2, 2, 3][: max(1, k_max * 2)])
    chosen = set()
    while len(chosen) < min(k, k_max):
        chosen.add(rng.choices(values, weights)[0])
    return sorted(chosen, key=list(values).index)


def synthetic_records(count: int, seed: int = 0, published_share: float = 0.9) -> list[dict]:
    rng = random.Random(seed)
    countries = [c for c in geography.countries().values() if c.un_member]
    records = []
    for n in range(count):
        pillars = _pick(rng, PILLARS.values, PILLAR_WEIGHTS, 3)
        actors = _pick(rng, ACTOR_TYPES.values, ACTOR_WEIGHTS, 3)
        action = rng.choice(ACTIONS[pillars[0]])
        sector = rng.choice(SECTORS)
        # Scopes as in the seed collection: about 7 in 10 national, 1 in 10 regional (naming
        # its area, rarely its countries), 2 in 10 global.
        scope = rng.choices(("national", "regional", "global"), (0.70, 0.12, 0.18))[0]
        area = rng.choice(list(scopes.AREAS)) if scope == "regional" else None
        if scope == "national":
            places = rng.sample(countries, rng.choice([1, 1, 1, 1, 2, 3]))
        else:
            places = []
        where = ", ".join(c.name for c in places) or (
            scopes.AREAS[area].name if area else "several regions"
        )
        lead = actors[0]
        organisation = (
            f"{rng.choice(ORG_KINDS[lead])} {places[0].name if places else 'International'}"
        )
        # Half of the seed started in 2015 or later; the rest spread back to 1995.
        start = rng.randint(2015, 2026) if rng.random() < 0.5 else rng.randint(1995, 2014)
        forms = _pick(rng, EXPLOITATION_FORMS.values, [5, 6, 1, 1, 0.3, 1, 1, 1, 0.3, 1], 2)
        groups = _pick(
            rng, TARGET_GROUPS.values, [3, 2, 1, 1, 3, 3, 1, 0.5, 0.5, 1, 2, 3, 1.5, 0.5], 3
        )
        outcome = rng.choice(OUTCOMES).format(n=rng.randint(12, 4000))
        title = f"{action.capitalize()} on {sector} in {where}"[:200]
        summary = (
            f"A {action} led by the {organisation} that addresses trafficking for "
            f"{forms[0].replace('_', ' ')} in {sector}, working with {groups[0].replace('_', ' ')}."
        )
        description = (
            f"The {organisation} started this {action} in {start}. "
            f"It focuses on {sector} in {where}, where recruitment debts and withheld documents "
            f"leave workers exposed to {forms[0].replace('_', ' ')}.\n\n"
            f"Partners share information through regular meetings, and cases are referred to "
            f"specialised services. The approach follows the {pillars[0]} pillar and is "
            f"designed to be transferable to neighbouring countries."
        )
        status = (
            "published" if rng.random() < published_share else rng.choice(["draft", "submitted"])
        )
        # The seed's mix: about 57% English, the five other UN languages about 8.5% each; an
        # entry in another language carries an English title and summary.
        language = rng.choices(["en", "fr", "es", "ru", "ar", "zh"], [57, 8.6, 8.6, 8.6, 8.6, 8.6])[
            0
        ]
        translations = {} if language == "en" else {"en": {"title": title, "summary": summary}}
        records.append(
            {
                "title": title,
                "summary": summary,
                "description": description,
                "results": f"In its first years the programme {outcome}.",
                "lessons_learned": rng.choice(LESSONS),
                "organisation": organisation,
                "partner_organisations": [],
                "actor_types": actors,
                "countries": sorted(c.code for c in places),
                "scope": scope,
                "scope_area": area,
                "pillars": pillars,
                "exploitation_forms": forms,
                "target_groups": groups,
                "instruments": _pick(rng, INSTRUMENTS.values, [4] + [1] * 11, 2)
                if rng.random() < 0.6
                else [],
                "practice_type": rng.choice(PRACTICE_TYPES.values),
                "evidence": rng.choices(EVIDENCE.values, [0.5, 0.35, 0.15])[0],
                "start_year": start,
                "end_year": None if rng.random() < 0.4 else min(start + rng.randint(1, 8), 2026),
                "language": language,
                "translations": translations,
                "sources": [
                    {
                        "title": f"Programme report {n + 1}",
                        "publisher": organisation,
                        "year": min(start + rng.randint(0, 3), 2026),
                        "url": f"https://example.org/reports/{seed}/{n + 1}",
                    }
                ],
                "status": status,
                "last_verified": None,
            }
        )
    return records

"""The facet registry: every consumer of a facet reads it here.

A facet is one way to narrow the collection (a pillar, a region, a language...). Its query
parameter name, the document key the index stores it under, its label, its allowed values with
their labels, and how it filters rows in SQL live in one `Facet`. Search parameters, the browse
list, the review queue, template labels, the API payload and vocabularies, the OpenAPI document
and the synthetic generator all read this registry, so a label or a value cannot drift between
them. The search engine knows only the document keys (`search.FACETS`); a unit test checks the
two agree.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from sqlalchemy import ColumnElement, and_, or_, select

from repository import geography, scopes
from repository.i18n import N_, current_locale, translations
from repository.vocabularies import (
    ACTOR_TYPES,
    EVIDENCE,
    EXPLOITATION_FORMS,
    INSTRUMENTS,
    LANGUAGES,
    PILLARS,
    PRACTICE_TYPES,
    TARGET_GROUPS,
    Vocabulary,
)


@dataclass(frozen=True)
class Facet:
    name: str  # the query parameter, e.g. "actor_type"
    key: str  # the document key (index field, API field), e.g. "actor_types"
    label: str  # gettext message id
    description: str  # one line for the API document
    terms: Callable[[], Sequence[tuple[str, str]]]  # (value, label) in display order
    ordered: bool = True  # list values in vocabulary order; False: by count, then label
    always_listed: bool = False  # show every value even at zero (the pillars)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in _terms(self.name))

    def valid(self, value: object) -> bool:
        return isinstance(value, str) and value in _term_labels(self.name)

    def label_of(self, value: str) -> str:
        """The label in the reader's language; the value itself if it is unknown."""
        return _label(self.name, value, current_locale())

    def title(self) -> str:
        return translations().gettext(self.label)

    def clause(self, values: Sequence[str]) -> ColumnElement[bool]:
        """A SQL condition on Practice that is true when it carries any of the values."""
        from repository.models import Practice, PracticeCountry, PracticeTag

        if self.key in ("practice_type", "evidence", "language"):
            return getattr(Practice, self.key).in_(list(values))
        if self.name in SCOPED_PLACES:
            # Where its scope is: national ones by their countries, regional ones by their area,
            # global ones under "global" (repository/scopes.py).
            codes = _codes_for(self.name, values)
            conditions = [
                and_(
                    Practice.scope == "national",
                    Practice.id.in_(
                        select(PracticeCountry.practice_id).where(
                            PracticeCountry.country_code.in_(codes)
                        )
                    ),
                ),
                and_(
                    Practice.scope == "regional",
                    Practice.scope_area.in_(scopes.areas_in(SCOPED_PLACES[self.name], values)),
                ),
            ]
            if scopes.GLOBAL in values:
                conditions.append(Practice.scope == scopes.GLOBAL)
            return or_(*conditions)
        if self.name in PLACE_ATTRIBUTES:
            codes = _codes_for(self.name, values)
            return Practice.id.in_(
                select(PracticeCountry.practice_id).where(PracticeCountry.country_code.in_(codes))
            )
        return Practice.id.in_(
            select(PracticeTag.practice_id).where(
                PracticeTag.vocabulary == self.key, PracticeTag.value.in_(list(values))
            )
        )

    def matches(self, record: dict, values: Sequence[str]) -> bool:
        """Whether a practice record (the JSON Lines dict) carries any of the values."""
        if self.name in SCOPED_PLACES:
            scope = record.get("scope") or scopes.default_scope(record.get("countries") or [])
            places = scopes.places(scope, record.get("scope_area"), record.get("countries") or [])
            return bool(set(places[self.key]) & set(values))
        if self.name in PLACE_ATTRIBUTES:
            carried = set(record.get("countries") or [])
            return bool(carried & set(_codes_for(self.name, values)))
        carried = record.get(self.key)
        carried = set(carried) if isinstance(carried, list) else {carried}
        return bool(carried & set(values))


PLACE_ATTRIBUTES = {"country": "code", "region": "region", "un_group": "un_group"}
SCOPED_PLACES = {"region": "regions", "un_group": "un_groups"}  # facet -> Area attribute


def _codes_for(name: str, values: Sequence[str]) -> list[str]:
    attribute = PLACE_ATTRIBUTES[name]
    wanted = set(values)
    return [c.code for c in geography.countries().values() if getattr(c, attribute) in wanted]


def _vocabulary(vocabulary: Vocabulary) -> Callable[[], Sequence[tuple[str, str]]]:
    return lambda: vocabulary.terms


def _countries() -> Sequence[tuple[str, str]]:
    return [(code, c.name) for code, c in geography.countries().items()]


@cache
def _terms(name: str) -> tuple[tuple[str, str], ...]:
    return tuple(REGISTRY[name].terms())


@cache
def _term_labels(name: str) -> dict[str, str]:
    return dict(_terms(name))


FACET_LIST = (
    Facet(
        "pillar", "pillars", N_("P-pillar"), "P-pillar.", _vocabulary(PILLARS), always_listed=True
    ),
    Facet("actor_type", "actor_types", N_("Actor type"), "Actor type.", _vocabulary(ACTOR_TYPES)),
    Facet(
        "region",
        "regions",
        N_("Region (UN M49)"),
        "UN M49 region where the practice applies; 'global' for global practices.",
        lambda: (*geography.REGIONS, (scopes.GLOBAL, N_("Global"))),
    ),
    Facet(
        "un_group",
        "un_groups",
        N_("UN regional group"),
        "UN regional group where the practice applies; 'global' for global practices.",
        lambda: (*geography.UN_GROUPS, (scopes.GLOBAL, N_("Global"))),
    ),
    Facet(
        "country", "countries", N_("Country"), "ISO 3166 alpha-3 code.", _countries, ordered=False
    ),
    Facet(
        "exploitation_form",
        "exploitation_forms",
        N_("Form of exploitation"),
        "Form of exploitation.",
        _vocabulary(EXPLOITATION_FORMS),
    ),
    Facet(
        "target_group",
        "target_groups",
        N_("Target group"),
        "Target group.",
        _vocabulary(TARGET_GROUPS),
    ),
    Facet(
        "practice_type",
        "practice_type",
        N_("Practice type"),
        "Practice type.",
        _vocabulary(PRACTICE_TYPES),
    ),
    Facet("evidence", "evidence", N_("Evidence"), "Evidence level.", _vocabulary(EVIDENCE)),
    Facet(
        "language",
        "language",
        N_("Language"),
        "Language of the entry, ISO 639-1.",
        _vocabulary(LANGUAGES),
        ordered=False,
    ),
    Facet(
        "instrument",
        "instruments",
        N_("Instruments referred to"),
        "Instrument referred to.",
        _vocabulary(INSTRUMENTS),
    ),
)
REGISTRY: dict[str, Facet] = {facet.name: facet for facet in FACET_LIST}
BY_KEY: dict[str, Facet] = {facet.key: facet for facet in FACET_LIST}


def facet(name: str) -> Facet:
    return REGISTRY[name]


def label(key: str, value: str) -> str:
    """The label of a value by the facet's document key (what templates hold: "pillars")."""
    if key == "subregions":
        return translations().gettext(geography.subregion_label(value))
    return BY_KEY[key].label_of(value) if key in BY_KEY else value


@lru_cache(maxsize=8192)
def _label(name: str, value: str, locale: str) -> str:
    # Remembered: a search page labels every value of every facet (about 200 a page), and the
    # catalogues and vocabularies do not change while the process runs. Bounded: an unknown
    # value typed into a URL is labelled too.
    text = _term_labels(name).get(value)
    if text is None:
        return value
    # Country names are the UN's own names in each language (repository/data), not messages.
    if name == "country":
        return geography.country_name(value, locale)
    return translations(locale).gettext(text)

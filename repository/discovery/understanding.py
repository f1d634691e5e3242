"""What a query names besides its topic: places become filters, facet words become suggestions.

- A country, an M49 region or a UN regional group, named in any of the six UN languages, is
  **applied** as a filter and taken out of the words: "private sector Africa" searches "private
  sector" among practices that apply in Africa. The words come from the UN's names
  (repository/data/un_names.csv) and repository/data/place_words.json.
- A sub-region ("West Africa", "Central Asia", "the Gulf", "the Balkans": the M49 sub-regions and
  the groupings people name) is its countries: the region(s) they lie in are applied as the
  filter, and the words stay in the query as one topic that practices of those countries match
  (SearchParams.areas), so "NGOs Latin America" ranks Brazil's and Mexico's NGOs above the
  United States' within the Americas.
- A concept of the thesaurus that names a value of another facet (pillar, actor type, form of
  exploitation, target group, practice type, instrument) is **suggested**: the words stay in the
  query (the thesaurus already matches them in six languages) and the page offers the filter
  with its count.

Applied filters are shown as chips with a way back to the words as typed, and are never applied
when they would leave nothing (discovery.payload checks).
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from repository import facets, geography
from search.multilingual import normalise
from search.stopwords import STOP_WORDS, is_stop
from search.thesaurus import Thesaurus
from search.thesaurus import default as default_thesaurus

PLACE_FACETS = {"countries": "country", "regions": "region", "un_groups": "un_group"}
SUGGESTED_KEYS = (
    "pillars",
    "actor_types",
    "exploitation_forms",
    "target_groups",
    "practice_type",
    "instruments",
)
_WORD = re.compile(r"\w+")
_STRICT = re.compile(r"[\"()]|\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b|\w:")


@dataclass(frozen=True)
class Understood:
    facet: str  # facet name, e.g. "region"
    value: str
    words: str  # as typed


@dataclass(frozen=True)
class Understanding:
    q: str  # the words left to search
    applied: tuple[Understood, ...] = ()
    suggested: tuple[Understood, ...] = field(default=())
    # Sub-regions named: (words as typed, country codes), for SearchParams.areas.
    areas: tuple[tuple[str, tuple[str, ...]], ...] = ()


def _script(label: str) -> str:
    if re.search(r"[\u0400-\u04ff]", label):
        return "ru"
    if re.search(r"[\u0600-\u06ff]", label):
        return "ar"
    if re.search(r"[\u4e00-\u9fff]", label):
        return "zh"
    return "en"


def _concept(concept_id: str, facet_key: str, value: str, labels: dict[str, list[str]]) -> dict:
    entries = {}
    for language, names in labels.items():
        names = [n for n in dict.fromkeys(names) if n]
        if names:
            entries[language] = {"pref": names[0], "alt": names[1:]}
    return {"id": concept_id, "labels": entries, "facet": {facet_key: value}}


def _folded(text: str) -> str:
    return " ".join(_WORD.findall(normalise(text)))


def _place_words() -> dict:
    return json.loads(
        resources.files("repository").joinpath("data/place_words.json").read_text("utf-8")
    )


@cache
def area_countries(key: str) -> tuple[str, ...]:
    """The countries of a sub-region of place_words.json: its M49 sub-region(s) or
    intermediate region(s) as repository.geography has them, or the codes it lists."""
    entry = _place_words()["subregions"][key]
    wanted = entry.get("m49") or []
    wanted = {wanted} if isinstance(wanted, str) else set(wanted)
    codes = set(entry.get("countries", []))
    for country in geography.countries().values():
        if country.subregion in wanted or country.intermediate_region in wanted:
            codes.add(country.code)
    return tuple(sorted(c for c in codes if geography.country(c) is not None))


@cache
def places() -> Thesaurus:
    """Countries, regions and UN groups as a thesaurus of their own (the same matching)."""
    words = _place_words()
    concepts = []
    for key in ("regions", "subregions", "un_groups"):
        for value, labels in words[key].items():
            labels = labels.get("labels", labels)  # a sub-region lists its countries too
            concepts.append(_concept(f"{key}:{value}", key, value, labels))
    aliases = words["countries"]
    for country in geography.countries().values():
        if country.status == "area" and country.code not in aliases:
            continue  # territories are not facet values people type
        labels: dict[str, list[str]] = {}
        for language, name in country.names or (("en", country.name),):
            short = name.split(" (")[0]
            labels.setdefault(language, []).extend([name, short])
        for alias in aliases.get(country.code, []):
            labels.setdefault(_script(alias), []).append(alias)
        concepts.append(_concept(f"countries:{country.code}", "countries", country.code, labels))
    return Thesaurus({"version": "places", "concepts": concepts})


def _plain(text: str) -> str:
    """Lower case without accents, one character for one: "Thaïlande" -> "thailande"."""
    return "".join(unicodedata.normalize("NFD", char)[0] for char in text.lower())


@cache
def _unaccented_names() -> tuple[re.Pattern | None, dict]:
    """The names of places written with accents in English, French or Spanish, as people type
    them without ("Thailande", "Perou", "Turkiye", "Cote d'Ivoire"): matched whole, never
    stemmed (stemmed without its accent, "Canadá" would be the stem of "can")."""
    names = {}
    for concept in places().concepts.values():
        for language in ("en", "fr", "es"):
            for label in concept.all_labels(language) if language in concept.labels else ():
                plain = _plain(label)
                if plain != label.lower() and len(plain) > 3:
                    names.setdefault(plain, concept)
    if not names:
        return None, names
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), names


def _places_in(q: str) -> list:
    """The places a query names: by their names in the six languages (stemmed, so "в
    Узбекистане" is Uzbekistan), and by a name typed without its accents."""
    found = list(places().concepts_in(q))
    pattern, names = _unaccented_names()
    plain = _plain(q)
    if pattern is None or len(plain) != len(q):
        return found
    for match in pattern.finditer(plain):
        start, end = match.span()
        if all(end <= s or start >= e for s, e, _c in found):
            found.append((start, end, names[match.group(0)]))
    return sorted(found, key=lambda item: item[0])


@cache
def _foreign_small_words() -> frozenset[str]:
    english = set(STOP_WORDS["en"].split())
    return frozenset(
        word
        for language, words in STOP_WORDS.items()
        if language != "en"
        for word in words.split()
        if word not in english
    )


def _foreign(q: str) -> bool:
    """Whether the query has small words of a language other than English."""
    return any(w in _foreign_small_words() for w in _WORD.findall(q.casefold()))


def _capitals_only(concept, typed: str) -> bool:
    """Whether the words typed are, not in capitals, a name the place has only in capitals."""
    if typed.isupper():
        return False
    return any(
        label.isupper() and label.casefold() == typed.casefold()
        for language in concept.labels
        for label in concept.all_labels(language)
    )


def understand(q: str) -> Understanding:
    """Places to apply and facet values to suggest, from a plain query (quoted phrases and
    operators ask for the words exactly: they are left alone)."""
    if not q.strip() or _STRICT.search(q):
        return Understanding(q=q)
    applied, kept, areas, position = [], [], [], 0
    # In a query with words of another language than English, an acronym names a place only
    # in capitals, as in a document: "se usa" is Spanish for "is used", not the United States
    # ("trafficking in the usa" still is).
    foreign = _foreign(q)
    for start, end, concept in _places_in(q):
        if foreign and _capitals_only(concept, q[start:end]):
            continue
        facet_key, value = next(iter(concept.facet.items()))
        kept.append(q[position:start])
        position = end
        if facet_key == "subregions":
            codes = area_countries(value)
            if not codes:
                continue
            areas.append((q[start:end], codes))
            kept.append(q[start:end])  # the words stay: they rank the area's practices first
            found = [("region", r) for r in sorted({geography.country(c).region for c in codes})]
        else:
            found = [(PLACE_FACETS[facet_key], value)]
        for facet, value in found:
            if not any(u.facet == facet and u.value == value for u in applied):
                applied.append(Understood(facet, value, q[start:end]))
    kept.append(q[position:])
    rest = " ".join(" ".join(kept).split())
    if not [w for w in _WORD.findall(rest) if not is_stop(w)]:
        rest = ""  # only "in", "de", "в" were left around the place
    suggested = []
    for start, end, concept in default_thesaurus().concepts_in(q):
        for facet_key, value in concept.facet.items():
            if facet_key in SUGGESTED_KEYS:
                facet = facets.BY_KEY[facet_key].name
                if not any(s.facet == facet and s.value == value for s in suggested):
                    suggested.append(Understood(facet, value, q[start:end]))
    return Understanding(
        q=rest, applied=tuple(applied), suggested=tuple(suggested), areas=tuple(areas)
    )

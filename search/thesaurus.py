"""The concept thesaurus (search/thesaurus.json): domain concepts with preferred and alternative
labels in the six UN languages, broader and related links, and the facet value a concept names.

A versioned data file curators can extend; tests check that every concept has all six preferred
labels and that every link resolves.
"""

import json
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from search.multilingual import STEMMED, UN_LANGUAGES, contains, normalise, stems
from search.stopwords import is_stop, stop_languages

THESAURUS_FILE = Path(__file__).with_name("thesaurus.json")


@dataclass(frozen=True)
class Concept:
    id: str
    labels: dict  # language -> {"pref": str, "alt": [str]}
    broader: tuple[str, ...]
    related: tuple[str, ...]
    facet: dict  # e.g. {"exploitation_forms": "forced_labour"}, or {}
    # What every entry of the repository is ("good practice"): named in a query, it is no topic,
    # as "countries" is not (search.querying).
    scaffolding: bool = False

    def all_labels(self, language: str) -> list[str]:
        entry = self.labels.get(language) or {}
        return [entry.get("pref", ""), *entry.get("alt", [])]


class Thesaurus:
    def __init__(self, data: dict):
        self.version = data.get("version")
        self.concepts = {
            c["id"]: Concept(
                c["id"],
                c["labels"],
                tuple(c.get("broader", [])),
                tuple(c.get("related", [])),
                dict(c.get("facet") or {}),
                bool(c.get("scaffolding", False)),
            )
            for c in data["concepts"]
        }
        self.label_indexes: dict = {}  # (facet key, value) -> _LabelIndex
        self.narrower: dict[str, list[str]] = {cid: [] for cid in self.concepts}
        for concept in self.concepts.values():
            for parent in concept.broader:
                if parent in self.narrower:
                    self.narrower[parent].append(concept.id)
        # One search reads the concepts of its words five times (places, suggested filters,
        # the query, its correction, the snippets' marks): found once, about 0.1 ms each.
        self._query_matches = lru_cache(maxsize=4096)(self._find_in_query)

    @classmethod
    def load(cls, path: Path = THESAURUS_FILE) -> "Thesaurus":
        return cls(json.loads(path.read_text(encoding="utf-8")))

    def naming(self, facet_key: str, value: str) -> list[Concept]:
        """Concepts that name a facet value, with all their narrower concepts."""
        found = [c.id for c in self.concepts.values() if c.facet.get(facet_key) == value]
        seen: list[str] = []
        while found:
            concept_id = found.pop()
            if concept_id not in seen:
                seen.append(concept_id)
                found.extend(self.narrower.get(concept_id, []))
        return [self.concepts[c] for c in seen]

    def concepts_in(self, text: str, document: bool = False) -> list[tuple[int, int, Concept]]:
        """The concepts a text names, in any of the six languages, as (start, end, concept)
        character spans of `text`: longest labels first, spans never overlapping. In a
        document (not a query) an acronym counts only written in capitals: "tips" is not TIP."""
        return [(s, e, c) for s, e, c, _language in self.matches_in(text, document)]

    def matches_in(
        self, text: str, document: bool = False, prefer: str | None = None
    ) -> list[tuple[int, int, Concept, str]]:
        """As concepts_in, with the language of the label found; `prefer`, the reader's
        language, decides between languages the words fit equally ("refuges victimes")."""
        if document:
            return _QueryMatcher.of(self).find(text, document)
        return list(self._query_matches(text, prefer))

    def _find_in_query(self, text: str, prefer: str | None = None) -> tuple:
        return tuple(_QueryMatcher.of(self).find(text, False, prefer))

    def mentions(self, text: str, facet_key: str, value: str) -> bool:
        """Whether the text names the facet value, in any of the six languages."""
        return bool(_LabelIndex.of(self, facet_key, value).find(text))


class _LabelIndex:
    """The labels of one facet value, stemmed per language, ready to look for in texts."""

    def __init__(self, thesaurus: Thesaurus, facet_key: str, value: str):
        self.by_language: dict[str, set[tuple[str, ...]]] = {lang: set() for lang in STEMMED}
        self.plain: set[str] = set()  # Chinese labels, compared as text
        for concept in thesaurus.naming(facet_key, value):
            for language in UN_LANGUAGES:
                for label in concept.all_labels(language):
                    if not label:
                        continue
                    if language in STEMMED:
                        stemmed = stems(label, language)
                        if stemmed:
                            self.by_language[language].add(stemmed)
                    else:
                        self.plain.add(normalise(label))

    @classmethod
    def of(cls, thesaurus: Thesaurus, facet_key: str, value: str) -> "_LabelIndex":
        """Built once per thesaurus and facet value (stemming every label is not free)."""
        key = (facet_key, value)
        if key not in thesaurus.label_indexes:
            thesaurus.label_indexes[key] = cls(thesaurus, facet_key, value)
        return thesaurus.label_indexes[key]

    def find(self, text: str) -> str | None:
        folded = normalise(text)
        for label in self.plain:
            if label in folded:
                return label
        for language, labels in self.by_language.items():
            if not labels:
                continue
            words = stems(text, language)
            for label in labels:
                if contains(words, label):
                    return " ".join(label)
        return None


_SPAN_WORD = re.compile(r"\w+")
_ACRONYM_PLURAL = re.compile(r"\b([A-Z]{2,})s\b")
FUZZY = ("ru", "ar")
# A query's language is plain when at least CLEAR_VOTES of its words are small words of that
# language alone, and CLEAR_RATIO times more than of any other.
CLEAR_VOTES = 2
CLEAR_RATIO = 3
_LATIN = ("en", "fr", "es")  # the languages whose stems can meet in one script
PREFIX = 3  # labels are grouped by the first letters of their first stem


class _QueryMatcher:
    """Every label of every concept, stemmed per language, keyed by its first stem."""

    def __init__(self, thesaurus: Thesaurus):
        self.by_first: dict[str, dict[str, list]] = {lang: {} for lang in STEMMED}
        self.plain: list[tuple[str, Concept]] = []  # Chinese labels, found as text
        for concept in thesaurus.concepts.values():
            for language in UN_LANGUAGES:
                for label in concept.all_labels(language):
                    if not label:
                        continue
                    if language not in STEMMED:
                        self.plain.append((normalise(label), concept))
                        continue
                    stemmed = stems(label, language)
                    if stemmed:
                        bucket = _bucket(stemmed[0], language)
                        entry = self.by_first[language].setdefault(bucket, [])
                        lengths = tuple(len(w) for w in _SPAN_WORD.findall(normalise(label)))
                        acronym = " " not in label and sum(c.isupper() for c in label) >= 2
                        entry.append((stemmed, lengths, concept, acronym, normalise(label)))
        self.plain.sort(key=lambda item: -len(item[0]))
        self.ancestors = {cid: _ancestors(thesaurus, cid) for cid in thesaurus.concepts}

    @classmethod
    def of(cls, thesaurus: Thesaurus) -> "_QueryMatcher":
        if "query" not in thesaurus.label_indexes:
            thesaurus.label_indexes["query"] = cls(thesaurus)
        return thesaurus.label_indexes["query"]

    def find(
        self, text: str, document: bool = False, prefer: str | None = None
    ) -> list[tuple[int, int, Concept, str]]:
        # "NGOs" is the plural of "NGO": the s becomes a space, so offsets stay the same.
        text = _ACRONYM_PLURAL.sub(lambda m: m.group(1) + " ", text)
        folded = normalise(text)
        if len(folded) != len(text):  # casefolding changed lengths (rare): spans by word only
            folded = text
        words = [(m.start(), m.end(), m.group(0)) for m in _SPAN_WORD.finditer(folded)]
        found = []  # (length in characters, start, end, concept, language)
        for language, firsts in self.by_first.items():
            if not _SCRIPTS[language].search(folded):
                continue  # no word of this language's script: nothing to stem
            stemmed = _stemmer_words(language, [w for _s, _e, w in words])
            if len(stemmed) != len(words):
                continue  # the stemmer split differently: spans would not line up
            lengths = [end - start for start, end, _w in words]
            for i, first in enumerate(stemmed):
                for label, label_lengths, concept, acronym, written in firsts.get(
                    _bucket(first, language), ()
                ):
                    size = len(label)
                    if _same(stemmed[i : i + size], label, language in FUZZY) and _alike(
                        lengths[i : i + size], label_lengths
                    ):
                        start, end = words[i][0], words[i + len(label) - 1][1]
                        typed = text[start:end]
                        # An acronym in lower case is a word in a query, unless a small word
                        # of one of the languages: "au Sénégal" is not the African Union.
                        if (
                            acronym
                            and not typed.rstrip("s").isupper()
                            and (document or is_stop(typed))
                        ):
                            continue
                        exact = normalise(typed) == written
                        found.append((end - start, start, end, concept, language, exact))
        for label, concept in self.plain if _CJK.search(folded) else ():
            position = folded.find(label)
            while position >= 0:
                found.append((len(label), position, position + len(label), concept, "zh", True))
                position = folded.find(label, position + 1)
        # A span naming a concept in several languages ("refuges" is English and French) is
        # read in the language the rest of the query is written in: the one whose labels and
        # small words it holds most ("refuges pour victimes": "victimes" and "pour" are French),
        # so related terms come back in the words' language.
        votes = Counter()
        if not document:  # a query's few words; a document's language is known anyway
            votes.update(language for _s, _e, language in {(f[1], f[2], f[4]) for f in found})
            for _start, _end, word in words:
                votes.update(stop_languages(word))
            if prefer:
                votes[prefer] += 0.5  # only breaks a tie
        if not document:
            found = _in_its_language(found, words)
        found = self._narrowest(found)
        # Of labels alike once stemmed, the one written as typed: Snowball stems "explotación"
        # (exploitation) and "explotador" (exploiter) alike.
        chosen: list[tuple[int, int, Concept, str]] = []
        for _length, start, end, concept, language, _exact in sorted(
            found, key=lambda f: (-f[0], f[1], -votes[f[4]], not f[5])
        ):
            if all(end <= s or start >= e for s, e, _c, _l in chosen):
                chosen.append((start, end, concept, language))
        return sorted(chosen, key=lambda c: c[0])

    def _narrowest(self, found: list) -> list:
        """Of two labels that overlap without one holding the other, the narrower concept's:
        in "trata con fines de explotación laboral" (the Spanish formula), the general
        "fines de explotación" (purpose of exploitation) is longer than "explotación laboral"
        and took its word, so labour exploitation was never named."""
        spans = sorted(found, key=lambda f: f[1])
        dropped: set[int] = set()
        for i, f in enumerate(spans):
            for g in spans[i + 1 :]:
                if g[1] >= f[2]:
                    break  # starts after f ends: so do all the rest
                if g[2] <= f[2] or g[1] == f[1]:
                    continue  # one holds the other: the longest first decides
                if f[3].id in self.ancestors[g[3].id]:
                    dropped.add(id(f))
                elif g[3].id in self.ancestors[f[3].id]:
                    dropped.add(id(g))
        return [f for f in found if id(f) not in dropped]


def _in_its_language(found: list, words: list) -> list:
    """Of a query plainly written in one language (its small words say so), drop the words
    matched only by their stem in another language: Snowball gives the French stem "don" to
    English "done" and to "données" (data), and "nation" to "national" and "nationalité", so
    "what is being done" named data collection. A label written as typed ("kafala", "refuge")
    still counts, and a query with too few small words to tell keeps every match."""
    spoken = Counter()
    for _start, _end, word in words:
        languages = stop_languages(word)
        if len(languages) == 1:  # "de", "la" and "en" are French and Spanish: they tell nothing
            spoken.update(languages)
    if not spoken:
        return found
    (language, votes), *others = spoken.most_common()
    if votes < CLEAR_VOTES or any(v * CLEAR_RATIO > votes for _l, v in others):
        return found
    return [f for f in found if f[5] or f[4] == language or f[4] not in _LATIN]


def _ancestors(thesaurus: Thesaurus, concept_id: str) -> frozenset[str]:
    """Every concept broader than this one, however far up."""
    seen: set[str] = set()
    todo = list(thesaurus.concepts[concept_id].broader)
    while todo:
        parent = todo.pop()
        if parent in thesaurus.concepts and parent not in seen:
            seen.add(parent)
            todo.extend(thesaurus.concepts[parent].broader)
    return frozenset(seen)


def _bucket(stem: str, language: str) -> str:
    """Labels are grouped by their first stem, or its first letters where stems may differ."""
    return stem[:PREFIX] if language in FUZZY else stem


_SCRIPTS = {
    "en": re.compile(r"[a-z]"),
    "fr": re.compile(r"[a-zà-ÿœ]"),
    "es": re.compile(r"[a-zá-úñ]"),
    "ru": re.compile(r"[\u0400-\u04ff]"),
    "ar": re.compile(r"[\u0600-\u06ff]"),
}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def _same(words, label: tuple[str, ...], fuzzy: bool) -> bool:
    """Stems agree word by word. In Russian and Arabic long ones may differ by an ending the
    stemmer left (Snowball gives "узбекиста" for "Узбекистан" but "узбекистан" for
    "Узбекистане"); English stems are short already, and the same allowance there would make
    "organized" name "organisations"."""
    if len(words) != len(label):
        return False
    for word, wanted in zip(words, label, strict=True):
        if word == wanted:
            continue
        if not fuzzy:
            return False
        shorter, longer = sorted((word, wanted), key=len)
        if len(shorter) < 5 or len(longer) - len(shorter) > 2 or not longer.startswith(shorter):
            return False
    return True


def _alike(lengths, label_lengths) -> bool:
    """Words about as long as the label's: the same stem from a much longer word is another
    language's word ("organized" and Spanish "organizaciones" both stem to "organiz")."""
    return len(lengths) == len(label_lengths) and all(
        abs(a - b) <= 3 for a, b in zip(lengths, label_lengths, strict=True)
    )


def _stemmer_words(language: str, words: list[str]) -> list[str]:
    return list(stems(" ".join(words), language)) if words else []


@cache
def default() -> Thesaurus:
    return Thesaurus.load()

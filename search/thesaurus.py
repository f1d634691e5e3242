"""The concept thesaurus (search/thesaurus.json): domain concepts with preferred and alternative
labels in the six UN languages, broader and related links, and the facet value a concept names.

A versioned data file curators can extend; tests check that every concept has all six preferred
labels and that every link resolves.
"""

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from search.multilingual import STEMMED, UN_LANGUAGES, contains, normalise, stems

THESAURUS_FILE = Path(__file__).with_name("thesaurus.json")


@dataclass(frozen=True)
class Concept:
    id: str
    labels: dict  # language -> {"pref": str, "alt": [str]}
    broader: tuple[str, ...]
    related: tuple[str, ...]
    facet: dict  # e.g. {"exploitation_forms": "forced_labour"}, or {}

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
            )
            for c in data["concepts"]
        }
        self.label_indexes: dict = {}  # (facet key, value) -> _LabelIndex
        self.narrower: dict[str, list[str]] = {cid: [] for cid in self.concepts}
        for concept in self.concepts.values():
            for parent in concept.broader:
                if parent in self.narrower:
                    self.narrower[parent].append(concept.id)

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


@cache
def default() -> Thesaurus:
    return Thesaurus.load()

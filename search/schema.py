"""The index schema and the conversion of a plain document into index fields."""

import json
import re
from datetime import UTC, datetime

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, FieldType, Schema
from whoosh.formats import Existence

from search.analysis import (
    IndexingAnalyzer,
    PairAnalyzer,
    concept_analyzer,
    spelling_analyzer,
)
from search.params import FACETS

TEXT_FIELDS = ("title", "summary", "body", "organisation", "places", "translated")
_MARKDOWN_MARKS = re.compile(r"[*_`#>]+|!?\[([^\]]*)\]\([^)]*\)")


def facet_field(facet: str) -> str:
    return f"f_{facet}"


def pairs_field(field: str) -> str:
    """The field of neighbouring word pairs of a text field (analysis.PairAnalyzer)."""
    return f"pairs_{field}"


def make_schema() -> Schema:
    analyzer = IndexingAnalyzer()
    fields = {
        "id": ID(stored=True, unique=True),
        "version": STORED(),
        "title": TEXT(analyzer=analyzer, field_boost=3.0, stored=True),
        "summary": TEXT(analyzer=analyzer, field_boost=1.5, stored=True),
        "body": TEXT(analyzer=analyzer, stored=True),
        "organisation": TEXT(analyzer=analyzer, field_boost=1.5),
        "places": TEXT(analyzer=analyzer),
        # Translations of the title and summary, so a practice answers in the reader's language.
        "translated": TEXT(analyzer=analyzer, field_boost=1.5),
        "spell": TEXT(analyzer=spelling_analyzer(), phrase=False),
        # The thesaurus concepts the practice's texts name (analysis.ConceptTokenizer).
        "concepts": TEXT(analyzer=concept_analyzer(), phrase=False),
        # Acronyms as written in capitals (NGO, TIP, NRM), for exact acronym synonyms.
        "acronyms": KEYWORD(lowercase=True, scorable=True, field_boost=1.5),
        # Columns read in bulk into the per-reader arrays (search.snapshot).
        "num_id": NUMERIC(numtype=int, bits=32, signed=False, sortable=True),
        "start_year": NUMERIC(numtype=int, bits=32, signed=False, sortable=True, stored=True),
        "end_year": NUMERIC(numtype=int, bits=32, signed=False, sortable=True),
        "published": NUMERIC(numtype=int, bits=64, signed=False, sortable=True),
        "card": STORED(),
        # The summary of each translation, by language, for snippets in the reader's language.
        "summaries": STORED(),
        # The content key of the practice's vectors (search.vectors), 0 when none.
        "vkey": NUMERIC(numtype=int, bits=64, signed=False, sortable=True, stored=True),
    }
    for facet in FACETS:
        fields[facet_field(facet)] = KEYWORD(commas=True, scorable=False, lowercase=False)
    pairs = PairAnalyzer()
    for field in TEXT_FIELDS:
        # Which practices hold each two-word phrase: read instead of positions (scoring.py).
        fields[pairs_field(field)] = FieldType(Existence(), pairs, scorable=False)
    return Schema(**fields)


ONGOING = 9999  # the end year of a practice that is still running
# Two or more capitals (dots and digits allowed inside), an optional plural "s" left out.
ACRONYM = re.compile(r"\b([A-Z][A-Z0-9.&]*[A-Z0-9])s?\b")


def fields_organisation(document: dict) -> str:
    return " ".join([document.get("organisation", ""), *document.get("partner_organisations", [])])


def _microseconds(iso: str | None) -> int:
    """An ISO timestamp as microseconds since 1970, for sorting newest first."""
    if not iso:
        return 0
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1_000_000)


def plain_text(markdown: str) -> str:
    """Markdown reduced to the words a reader sees, for snippets."""
    return _MARKDOWN_MARKS.sub(lambda m: m.group(1) or " ", markdown or "")


def _values(document: dict, key: str) -> list[str]:
    value = document.get(key)
    if value is None or value == "":
        return []
    return [value] if isinstance(value, str) else list(value)


def translated_texts(document: dict) -> list[str]:
    return [
        f"{t.get('title', '')}\n{t.get('summary', '')}"
        for t in (document.get("translations") or {}).values()
    ]


def to_fields(document: dict) -> dict:
    """Index fields from a plain document (see docs/search.md for the keys it reads)."""
    body = "\n\n".join(
        plain_text(document.get(key, "")) for key in ("description", "results", "lessons_learned")
    ).strip()
    places = " ".join(document.get("country_names", [])) or "global"
    fields = {
        "id": str(document["id"]),
        "version": document.get("updated_at") or "",
        "title": document["title"],
        "summary": document.get("summary", ""),
        "body": body,
        "organisation": fields_organisation(document),
        "places": places,
        "translated": "\n".join(translated_texts(document)),
        "concepts": "\n".join(
            [document["title"], document.get("summary", ""), body, *translated_texts(document)]
        ),
        # Words for "did you mean": the ones a delegate is likely to type, not every body word.
        # Translations too, so a typo in a French query is corrected to a French word.
        "spell": " ".join(
            [document["title"], document.get("summary", ""), places, *translated_texts(document)]
        ),
        "acronyms": " ".join(
            ACRONYM.findall(
                " ".join(
                    [
                        document["title"],
                        document.get("summary", ""),
                        body,
                        fields_organisation(document),
                    ]
                )
            )
        ),
        "num_id": int(document["id"]),
        "start_year": int(document.get("start_year") or 0),
        "end_year": int(document.get("end_year") or ONGOING),
        "published": _microseconds(document.get("published_at")),
        "card": json.dumps(document.get("card", {}), ensure_ascii=False),
        "summaries": json.dumps(
            {
                language: translation.get("summary", "")
                for language, translation in (document.get("translations") or {}).items()
                if translation.get("summary") and language != document.get("language")
            },
            ensure_ascii=False,
        ),
        "vkey": 0,
    }
    for facet, key in FACETS.items():
        values = [v for v in _values(document, key) if "," not in v]
        fields[facet_field(facet)] = ",".join(values)
    for field in TEXT_FIELDS:
        fields[pairs_field(field)] = fields[field]
    return fields

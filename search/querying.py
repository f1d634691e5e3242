"""From what a delegate typed to a Whoosh query: limits, synonyms, safe fallback, corrections."""

import re
from pathlib import Path

from whoosh import qparser
from whoosh.query import NullQuery, Or, Query

from search.analysis import CJK, CJK_RUNS
from search.params import MAX_QUERY_CHARS, MAX_QUERY_TERMS
from search.schema import TEXT_FIELDS
from search.stopwords import is_stop

DEFAULT_SYNONYMS = Path(__file__).with_name("synonyms.txt")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
_UNSAFE = re.compile(r"[^\w\s'\"-]", re.UNICODE)
# Quotes, brackets, field names and capitalised operators ask for the strict meaning.
_STRICT = re.compile(r"[\"()]|\b(AND|OR|NOT|ANDNOT|ANDMAYBE)\b|\w:")


def _cjk_pieces(unit: str) -> list[str]:
    if not CJK.search(unit):
        return [unit]
    pieces = []
    for run in CJK_RUNS.findall(unit):
        if CJK.match(run) and len(run) > 1:
            pieces += [run[i : i + 2] for i in range(len(run) - 1)]
        elif run.strip():
            pieces.append(run)
    return pieces


class Coordinated(Or):
    """Any of the query's words, ranked by how many of them a document matches.

    A document matching more of the words ranks above one matching fewer, whatever their BM25
    scores; among documents matching as many, BM25 decides. At least `minimum` words must match
    (about half of a long query), unless no document has that many: then one is enough, so a
    plain query never finds nothing while some of its words are in the collection.
    """

    def minimum(self) -> int:
        words = len(self.subqueries)
        return 1 if words <= 2 else (words + 1) // 2


def load_synonyms(path: Path | str | None = None) -> list[list[str]]:
    """Synonym groups from a file: one group a line, alternatives separated by '|'.

    Alternatives keep their case: one with two or more capitals and no space is an acronym.
    """
    groups = []
    text = Path(path or DEFAULT_SYNONYMS).read_text(encoding="utf-8")
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            group = [alt.strip() for alt in line.split("|") if alt.strip()]
            if len(group) > 1:
                groups.append(group)
    return groups


def is_acronym(alternative: str) -> bool:
    return " " not in alternative and sum(c.isupper() for c in alternative) >= 2


def _quoted(alternative: str) -> str:
    return f'"{alternative}"' if re.search(r"[\s-]", alternative) else alternative


class QueryBuilder:
    def __init__(self, schema, synonyms: list[list[str]]):
        self.schema = schema
        self.analyzer = schema["body"].analyzer
        self.spell_analyzer = schema["spell"].analyzer
        self.groups: dict[str, list[str]] = {}
        self.acronyms: set[str] = set()
        for group in synonyms:
            lowered = [a.lower() for a in group]
            for alternative in group:
                self.groups[alternative.lower()] = lowered
                if is_acronym(alternative):
                    self.acronyms.add(alternative.lower())
        alternatives = sorted(self.groups, key=len, reverse=True)
        self._synonym = (
            re.compile(
                r"(?<![\w.])(" + "|".join(re.escape(a) for a in alternatives) + r")(?![\w.])",
                re.IGNORECASE,
            )
            if alternatives
            else None
        )
        self._parsers = {
            group: self._parser(group) for group in (qparser.AndGroup, qparser.OrGroup)
        }

    def _parser(self, group):
        parser = qparser.MultifieldParser(list(TEXT_FIELDS), self.schema, group=group)
        for plugin in (
            qparser.FieldsPlugin,
            qparser.WildcardPlugin,
            qparser.RangePlugin,
            qparser.BoostPlugin,
            qparser.EveryPlugin,
            qparser.SingleQuotePlugin,
        ):
            parser.remove_plugin_class(plugin)
        # Only the acronyms field may be named, by the synonym expansion below.
        parser.add_plugin(qparser.FieldsPlugin(expr=r"(?P<text>acronyms):"))
        return parser

    def expand_synonyms(self, q: str) -> str:
        """Outside quoted phrases, replace a known term by the OR of its synonyms."""
        if self._synonym is None:
            return q
        parts = q.split('"')
        for i in range(0, len(parts), 2):  # even parts lie outside quotes
            parts[i] = self._synonym.sub(self._alternatives, parts[i])
        return '"'.join(parts)

    def _alternatives(self, match: re.Match) -> str:
        group = self.groups[match.group(1).lower()]
        # A known acronym matches only where written in capitals (the acronyms field), so
        # that lower-casing and stemming cannot turn "TIP" into "tips".
        rendered = [f"acronyms:{a}" if a in self.acronyms else _quoted(a) for a in group]
        return "(" + " OR ".join(rendered) + ")"

    def parse(self, q: str, any_word: bool = False) -> Query | None:
        q = q[:MAX_QUERY_CHARS]
        if q.count('"') % 2:
            q = q.replace('"', " ")
        if not _STRICT.search(q):
            return self._coordinated(q)
        parser = self._parsers[qparser.OrGroup if any_word else qparser.AndGroup]
        try:
            query = parser.parse(self.expand_synonyms(q))
        except Exception:  # a syntax the parser chokes on: fall back to plain terms below
            query = None
        if query is None or _has_errors(query):
            # Plain words only; operators lower-cased, so that what made the parser choke
            # (such as "NOT NOT a") is read as words rather than as syntax again.
            words = WORD.findall(_UNSAFE.sub(" ", q))[:MAX_QUERY_TERMS]
            plain = " ".join(w.lower() if w in OPERATORS else w for w in words)
            if not plain:
                return None
            try:
                query = parser.parse(self.expand_synonyms(plain))
            except Exception:  # Whoosh's parser has more such corners: find nothing, not a 500
                return None
        return None if query is NullQuery else query

    def _coordinated(self, q: str) -> Query | None:
        """A plain query: its topic words (stop words of the six UN languages dropped), any of
        them, ranked by how many match (Coordinated). A synonym group or a phrase from the
        synonym file counts as one word, whichever of its alternatives a document uses."""
        words = WORD.findall(q)[:MAX_QUERY_TERMS]
        topical = " ".join([w for w in words if not is_stop(w)] or words)
        units, position = [], 0
        for match in self._synonym.finditer(topical) if self._synonym else ():
            units += topical[position : match.start()].split()
            units.append(match.group(0))
            position = match.end()
        units += topical[position:].split()
        # Chinese has no spaces: each two-character piece of a run counts as a word (the index
        # holds the same pieces: analysis.CJKBigramFilter).
        units = [piece for unit in units for piece in _cjk_pieces(unit)]
        children = []
        for unit in units:
            parsed = self._parsers[qparser.AndGroup].parse(self.expand_synonyms(unit))
            if parsed is not None and parsed is not NullQuery:
                children.append(parsed)
        return Coordinated(children) if children else None

    def _known(self, reader, word: str) -> bool:
        spelled = [t.text for t in self.spell_analyzer(word)]
        return not spelled or ("spell", spelled[0]) in reader

    def correct(self, searcher, q: str) -> str | None:
        """The query with unknown words replaced by the index's nearest ones, or None."""
        reader = searcher.reader()
        corrector = searcher.corrector("spell")
        parts = q.split('"')
        changed = False
        for i in range(0, len(parts), 2):

            def fix(match: re.Match) -> str:
                nonlocal changed
                word = match.group(0)
                if word.upper() in OPERATORS or word.lower() in self.groups or len(word) < 3:
                    return word
                if self._known(reader, word):
                    return word
                spelled = [t.text for t in self.spell_analyzer(word)]
                if not spelled:
                    return word
                suggestions = corrector.suggest(spelled[0], limit=1, maxdist=2, prefix=1)
                if not suggestions:
                    return word
                changed = True
                return suggestions[0]

            parts[i] = WORD.sub(fix, parts[i])
        return '"'.join(parts) if changed else None


def _has_errors(query: Query) -> bool:
    """Whoosh's parser turns what it cannot read into error nodes instead of raising."""
    return any(type(q).__name__ == "ErrorQuery" for q in (query, *query.leaves()))

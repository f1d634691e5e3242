"""From what a delegate typed to a Whoosh query: limits, synonyms, safe fallback, corrections."""

import math
import re
from itertools import combinations, islice
from pathlib import Path

from whoosh import qparser
from whoosh.query import And, NullQuery, Or, Query, Term

from search import dictionary
from search.analysis import CJK, CJK_RUNS
from search.highlighting import MarkingAnalyzer
from search.multilingual import snowball
from search.params import FACETS, MAX_QUERY_CHARS, MAX_QUERY_TERMS
from search.schema import TEXT_FIELDS, facet_field
from search.stopwords import is_stop
from search.thesaurus import Concept, Thesaurus
from search.thesaurus import default as default_thesaurus

DEFAULT_SYNONYMS = Path(__file__).with_name("synonyms.txt")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)
_PART = re.compile(r"[^'-]+")  # of a WORD
_FACET_OF_KEY = {key: facet for facet, key in FACETS.items()}
_TAGGED_AS = {"actor_types", "exploitation_forms", "instruments"}
_UNSAFE = re.compile(r"[^\w\s'\"-]", re.UNICODE)
# Words of the spelling field sharing a stem's letters read to find one inflected like it, and
# the stemmers that tell inflections apart from typos, by the languages a word's script allows
# (English words are in the dictionary inflected; the index stems Arabic too aggressively).
_INFLECTIONS = 50
_INFLECTED = {dictionary.LATIN: ("french", "spanish"), ("ru",): ("russian",)}
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


def _elided(word: str) -> list[str]:
    """A word written with an apostrophe as its parts of two letters or more: "qu'elles" is
    "elles", a stop word, and "d'hébergement" "hébergement"."""
    if "'" not in word:
        return [word]
    return [part for part in word.split("'") if len(part) > 1]


class Coordinated(Or):
    """Any of the query's words, ranked by how many of them a document matches.

    A document matching more of the words ranks above one matching fewer, whatever their BM25
    scores; among documents matching as many, BM25 decides. At least `minimum` words must match
    (about half of a long query), unless no document has that many: then one is enough, so a
    plain query never finds nothing while some of its words are in the collection. One is also
    enough among the handful of documents narrow filters leave (search.scoring.Evaluator).
    """

    # Every topic names a facet value or a place ("NGOs Latin America", "GRETA monitoring",
    # "принудительные браки профилактика"): set by QueryBuilder, read by the fusion. A copy
    # Whoosh makes of the query loses it, and then the query is fused as any other.
    facets_only = False

    def minimum(self, words: float | None = None) -> int:
        """How many of the words (or of `words` telling ones, a Chinese piece counting half:
        search.scoring) a document must match."""
        words = len(self.subqueries) if words is None else words
        return 1 if words <= 2 else math.ceil(words / 2)


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
    def __init__(self, schema, synonyms: list[list[str]], thesaurus: Thesaurus | None = None):
        self.schema = schema
        self.thesaurus = thesaurus if thesaurus is not None else default_thesaurus()
        self._concept_mark_cache: dict[str, frozenset[str]] = {}
        self.analyzer = schema["body"].analyzer
        self.marking = MarkingAnalyzer(self.analyzer)  # for snippets
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

    def parse(self, q: str, any_word: bool = False, areas=()) -> Query | None:
        """The query for what was typed; `areas` are (words, country codes) pairs naming places
        in the words (SearchParams.areas), each one topic of a plain query."""
        q = q[:MAX_QUERY_CHARS]
        if q.count('"') % 2:
            q = q.replace('"', " ")
        if not _STRICT.search(q):
            return self._coordinated(q, areas)
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

    def _coordinated(self, q: str, areas=()) -> Query | None:
        """A plain query: its topics, any of them, ranked by how many match (Coordinated).

        A concept of the thesaurus named in any of the six languages is one topic that matches
        any of its labels in any language ("refugios" finds "shelter" and "مراكز إيواء"); so is a
        synonym group or phrase from the synonym file. Other words are topics one by one, with
        the stop words of the six UN languages dropped; in Chinese each two-character piece is
        one (the index holds the same pieces: analysis.CJKBigramFilter).
        """
        q = " ".join(q.split())
        children = []
        for words, codes in areas:
            q, unit = self._area_query(q, words, codes)
            if unit is not None:
                children.append(unit)
        rest, position = [], 0
        facets_only = True
        for start, end, concept in self.thesaurus.concepts_in(q):
            rest.append(q[position:start])
            position = end
            facets_only = facets_only and bool(concept.facet or concept.scaffolding)
            if concept.scaffolding:
                # "bonnes pratiques de coopération judiciaire": every practice here is one, so
                # the words only favoured texts that happen to say "good practice".
                continue
            unit = self._concept_query(concept, q[start:end])
            if unit is not None:
                children.append(unit)
        rest.append(q[position:])
        words = [p for w in WORD.findall(" ".join(rest)) for p in _elided(w)][:MAX_QUERY_TERMS]
        topical = " ".join([w for w in words if not is_stop(w)] or ([] if children else words))
        units, position = [], 0
        for match in self._synonym.finditer(topical) if self._synonym else ():
            units += topical[position : match.start()].split()
            units.append(match.group(0))
            position = match.end()
        units += topical[position:].split()
        units = [piece for unit in units for piece in _cjk_pieces(unit)]
        for unit in units:
            parsed = self._parsers[qparser.AndGroup].parse(self.expand_synonyms(unit))
            if parsed is not None and parsed is not NullQuery:
                children.append(parsed)
                facets_only = False
        if not children:
            return None
        query = Coordinated(children[:MAX_QUERY_TERMS])
        query.facets_only = facets_only
        return query

    def _area_query(self, q: str, words: str, codes) -> tuple[str, Query | None]:
        """A place named in the words as one topic: practices of its countries match it, and so
        do those whose texts name it ("West Africa" is Senegal, Niger, Ghana... as well as the
        words). Returns the query without those words, and the topic (None if not found)."""
        found = re.search(rf"(?<!\w){re.escape(words)}(?!\w)", q, re.IGNORECASE) or (
            re.search(re.escape(words), q) if CJK.search(words) else None  # no spaces in Chinese
        )
        if found is None or not codes:
            return q, None
        q = " ".join((q[: found.start()] + " " + q[found.end() :]).split())
        return q, self.area_topic(words, codes)

    def areas_topic(self, areas) -> Query:
        """Practices of any of the areas (SearchParams.areas)."""
        return Or([self.area_topic(words, codes) for words, codes in areas])

    def area_topic(self, words: str, codes) -> Query:
        """Practices of the countries, or whose texts name the place as typed, or its acronym
        typed (a regional programme of "СНГ" lists no country)."""
        parts: list[Query] = [Term(facet_field("country"), code) for code in codes]
        for word in WORD.findall(words):
            if is_acronym(word) and word.isascii():
                parts.append(Term("acronyms", word.casefold()))
            elif is_acronym(word):  # "СНГ": the acronyms field holds Latin capitals only
                parsed = self._parsers[qparser.AndGroup].parse(word)
                if parsed is not None and parsed is not NullQuery:
                    parts.append(parsed)
        phrase = _UNSAFE.sub(" ", words).strip()
        if phrase:
            literal = self._parsers[qparser.AndGroup].parse(f'"{phrase}"')
            if literal is not None and literal is not NullQuery and not _has_errors(literal):
                parts.append(literal)
        return Or(parts)

    def _concept_query(self, concept: Concept, typed: str) -> Query | None:
        """The concept, as the index found it named in any language (schema field `concepts`),
        or the words as typed (an inflected form the labels lack)."""
        typed = _UNSAFE.sub(" ", typed).strip()
        labels = {
            label.casefold()
            for language in concept.labels
            for label in concept.all_labels(language)
        }
        acronyms = {
            label.casefold()
            for language in concept.labels
            for label in concept.all_labels(language)
            if is_acronym(label)
        }
        if CJK.search(typed):
            literal = self._cjk_literal(typed)
        elif typed.casefold() in acronyms:
            # An acronym stays an acronym: "tip" typed means TIP where written in capitals.
            literal = self._parsers[qparser.AndGroup].parse(f"acronyms:{typed.casefold()}")
        elif typed.casefold() in labels:
            literal = None  # the concept term holds exactly this label, in every language
        else:
            # A form the labels lack ("refugios" for "refugio"): its words anywhere too.
            literal = self._parsers[qparser.AndGroup].parse(typed)
        parts = [Term("concepts", concept.id)]
        parts += [
            Term(facet_field(_FACET_OF_KEY[key]), value)
            for key, value in concept.facet.items()
            if value == concept.id and key in _TAGGED_AS
        ]
        if literal is not None and literal is not NullQuery:
            parts.append(literal)
        return Or(parts)

    def highlight_terms(self, q: str) -> frozenset[str]:
        """The index terms to mark in snippets: the words typed, and every label of the concepts
        they name (a Spanish query marks "shelter" in an English practice)."""
        terms = set(self._marked_terms(q))
        for _start, _end, concept in self.thesaurus.concepts_in(q):
            terms |= self._concept_marks(concept)
        return frozenset(terms)

    def _marked_terms(self, text: str) -> frozenset[str]:
        return frozenset(
            token.text for token in self.analyzer(_UNSAFE.sub(" ", text)) if not is_stop(token.text)
        )

    def _concept_marks(self, concept) -> frozenset[str]:
        """The terms of every label of a concept, analysed once per concept: a concept has up
        to a hundred labels in six languages, and analysing them took most of the snippets'
        time."""
        marks = self._concept_mark_cache.get(concept.id)
        if marks is None:
            labels = [label for lang in concept.labels for label in concept.all_labels(lang)]
            marks = self._marked_terms(" \n ".join(labels))
            self._concept_mark_cache[concept.id] = marks
        return marks

    def _cjk_literal(self, typed: str) -> Query | None:
        """Chinese words as typed: any two of their two-character pieces, so "拐卖儿童" still
        finds "拐卖妇女儿童" as the pieces did before the thesaurus named it."""
        pieces = []
        for piece in _cjk_pieces(typed):
            parsed = self._parsers[qparser.AndGroup].parse(piece)
            if parsed is not None and parsed is not NullQuery:
                pieces.append(parsed)
        if len(pieces) < 3:
            return And(pieces) if pieces else None
        return Or([And([a, b]) for a, b in combinations(pieces[:6], 2)])

    def _known(self, reader, word: str, live=None) -> bool:
        """Whether the word is no typo: a word of the live documents, a word of its language's
        dictionary ("shaping", "planes": search.dictionary), or an inflection of a word of the
        documents where the dictionary lacks it ("trabajando" of "trabajo": French, Spanish and
        Russian words sharing a Snowball stem)."""
        spelled = [t.text for t in self.spell_analyzer(word)]
        if not spelled or ("spell", spelled[0]) in reader or dictionary.is_word(word):
            return True
        live = live or (lambda _term: True)
        for language in _INFLECTED.get(dictionary.languages_of(word), ()):
            stem = snowball(language).stemWord(spelled[0])
            terms = islice(reader.expand_prefix("spell", stem), _INFLECTIONS)
            if len(stem) >= 4 and any(
                snowball(language).stemWord(term) == stem and live(term)
                for term in (t.decode("utf-8") if isinstance(t, bytes) else t for t in terms)
            ):
                return True
        return False

    def correct(self, reader, q: str, live=None, areas=()) -> str | None:
        """The query with unknown words replaced by the nearest words of live documents, or
        None when nothing needs correcting.

        Candidates are ranked by edit distance first, then by how many documents use them, so
        "prosecuton" becomes "prosecution" (one edit) rather than the more frequent
        "prosecutors" (two). Stop words, acronyms, operators, words inside quotes and words the
        thesaurus knows in any of the six languages are never corrected; neither are the words of
        a place the query names (`areas`: "norte" of "norte de África" is not a typo of
        "norme"), nor a word of two letters, nor a real word the collection lacks (_known).
        `live(term)` says whether a live document has the term: lingering terms of deleted
        (possibly unpublished) documents are never offered.
        """
        protected = set()
        for start, end, _concept in self.thesaurus.concepts_in(q):
            protected.update(w.lower() for w in WORD.findall(q[start:end]))
        for words, _codes in areas:
            protected.update(w.lower() for w in WORD.findall(words))
        parts = q.split('"')
        changed = False

        def fix_part(word: str) -> str:
            nonlocal changed
            if (
                len(word) < 3
                or word.upper() in OPERATORS
                or word.lower() in self.groups
                or word.lower() in protected
                or is_stop(word)
                or is_acronym(word)
                or CJK.search(word)
                or self._known(reader, word, live)
            ):
                return word
            spelled = [t.text for t in self.spell_analyzer(word)]
            if not spelled:
                return word
            best = nearest(reader, spelled[0], live)
            if best is None:
                return word
            changed = True
            return best

        def fix(match: re.Match) -> str:
            word = match.group(0)
            if word.lower() in protected or word.lower() in self.groups:
                return word
            # Each part of an elided or joined word on its own ("d'orgnaes", "anti-traficking"),
            # so that the correction keeps the article or prefix typed with it: "d'organes"
            # still reads as the label "prélèvement d'organes".
            return _PART.sub(lambda part: fix_part(part.group(0)), word)

        for i in range(0, len(parts), 2):
            parts[i] = WORD.sub(fix, parts[i])
        return '"'.join(parts) if changed else None


def nearest(reader, word: str, live=None) -> str | None:
    """The index word closest to `word` (spelling field): fewest edits, then most documents.
    One edit for a word of up to seven letters, two beyond: a further reach turns words of
    other languages into English ones ("compran" into "company")."""
    maxdist = 1 if len(word) <= 7 else 2
    # Whoosh's automaton counts a swap of two letters as two edits: reach one further, then
    # keep what is within `maxdist` counting a swap as one ("orgnaes" finds "organes"). The
    # first letter is taken as typed (the automaton then reads a sliver of the lexicon)...
    near = reader.terms_within("spell", word, maxdist + 1, prefix=1)
    found = _ranked(reader, word, near, maxdist, live)
    if found is None and len(word) >= 5:
        # ...unless nothing is near: then one slip there ("rafficking", "ictims"), reading
        # the whole lexicon (about 10 ms for the seed's 15,000 words).
        found = _ranked(reader, word, reader.terms_within("spell", word, 1, prefix=0), 1, live)
    return found


def _ranked(reader, word: str, candidates, maxdist: int, live=None) -> str | None:
    """The candidate within `maxdist` edits that a live document has: fewest edits, then the
    most documents."""
    ranked = []
    for candidate in candidates:
        edits = edit_distance(word, candidate)
        if candidate != word and edits <= maxdist:
            ranked.append((edits, -reader.doc_frequency("spell", candidate), candidate))
    for _edits, _frequency, candidate in sorted(ranked):
        if live is None or live(candidate):
            return candidate
    return None


def edit_distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment): a swap of two neighbouring
    letters, the commonest typing slip, counts as one edit."""
    previous2, previous = None, list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def _has_errors(query: Query) -> bool:
    """Whoosh's parser turns what it cannot read into error nodes instead of raising."""
    return any(type(q).__name__ == "ErrorQuery" for q in (query, *query.leaves()))

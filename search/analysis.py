"""Text analysis: one English analyzer for indexing and querying, and one for spelling.

Both fold accents and bring US spellings to the UK form, so "labor" finds "labour" and
"organization" finds "organisation" at index and query time alike.
"""

import re
import threading
from functools import lru_cache
from itertools import pairwise

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
    Token,
    Tokenizer,
)
from whoosh.lang.porter import stem as porter_stem
from whoosh.support.charset import accent_map

from search.multilingual import snowball

# Words whose US and UK spellings differ other than by -ize/-ise.
SPELLING_VARIANTS = {
    "labor": "labour",
    "labors": "labours",
    "laborer": "labourer",
    "laborers": "labourers",
    "program": "programme",
    "programs": "programmes",
    "center": "centre",
    "centers": "centres",
    "defense": "defence",
    "behavior": "behaviour",
    "behaviors": "behaviours",
    "neighbor": "neighbour",
    "neighboring": "neighbouring",
    "counseling": "counselling",
    "counselor": "counsellor",
    "traveler": "traveller",
    "travelers": "travellers",
    "enrollment": "enrolment",
    "fulfill": "fulfil",
    "judgment": "judgement",
}
_IZE = re.compile(r"(?<=\w{2})iz(e|es|ed|ing|ation|ations|er|ers)$")
# Words where -iz- is not the -ize suffix.
_IZE_EXCEPTIONS = {
    "size",
    "sizes",
    "sized",
    "prize",
    "prizes",
    "seize",
    "seized",
    "seizes",
    "seizing",
    "seizure",
    "citizen",
    "citizens",
    "maize",
    "capsize",
}


@lru_cache(maxsize=100_000)
def uk_spelling(word: str) -> str:
    if word in SPELLING_VARIANTS:
        return SPELLING_VARIANTS[word]
    if word in _IZE_EXCEPTIONS:
        return word
    return _IZE.sub(r"is\1", word)


class SpellingVariantFilter(Filter):
    """Rewrites US spellings to UK ones so both match the same documents."""

    def __call__(self, tokens):
        for token in tokens:
            token.text = uk_spelling(token.text)
            yield token


# Bumped whenever the analysis below, or the schema, changes what a document gives the index: an
# index built with another version is rebuilt from the database (SearchIndex.verify).
ANALYSIS_VERSION = "11"  # 6: translations in "spell"; 7: their summaries stored, for snippets;
# 8: Arabic words stemmed alike with the article and without (multilingual.arabic_stem); 9:
# French plurals in s singular before Snowball (multilingual._FRENCH_PLURAL), for concepts; 10:
# Spanish plurals likewise, and of labels alike once stemmed the one written as typed; 11: of
# two labels that overlap, the narrower concept's (thesaurus._QueryMatcher._narrowest)


def analysis_version() -> str:
    """The analysis an index was built with, the thesaurus's version included: a thesaurus
    extended by curators changes which concepts documents name, so the index is rebuilt."""
    from search.thesaurus import default

    return f"{ANALYSIS_VERSION}/thesaurus-{default().version}"


CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK_RUNS = re.compile(
    r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[^\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
)


class CJKBigramFilter(Filter):
    """Chinese (and Japanese) are written without spaces, so a run of characters is one token
    to the tokenizer; it becomes overlapping two-character terms (a lone character stays one),
    which match words of any length without a dictionary."""

    def __call__(self, tokens):
        for token in tokens:
            if not CJK.search(token.text):
                yield token
                continue
            for run in CJK_RUNS.findall(token.text):
                if CJK.match(run) and len(run) > 1:
                    grams = [run[i : i + 2] for i in range(len(run) - 1)]
                else:
                    grams = [run]
                for gram in grams:
                    piece = token.copy()
                    piece.text = gram
                    yield piece


CYRILLIC = re.compile(r"[\u0400-\u04ff]")
ARABIC = re.compile(r"[\u0600-\u06ff]")


class ScriptStemFilter(Filter):
    """Stems each word by the language its script tells: Cyrillic words with the Russian
    Snowball stemmer, Arabic ones normalised (alef and hamza forms, ta marbuta, alef maqsura,
    diacritics) then stemmed with the Arabic one, other words with the English (Porter) stemmer.
    So "уголовного преследования" finds "уголовное преследование", and "الضحايا" finds
    "ضحايا". Latin-script French and Spanish share the English stemmer, which takes off their
    plural -s; queries in them also reach other languages through the thesaurus and the
    semantic layer."""

    def __call__(self, tokens):
        for token in tokens:
            text = token.text
            if CYRILLIC.search(text):
                token.text = _russian(text)
            elif ARABIC.search(text):
                token.text = _arabic(text)
            else:
                token.text = _english(text)
            yield token


@lru_cache(maxsize=100_000)
def _english(word: str) -> str:
    return porter_stem(word)


@lru_cache(maxsize=100_000)
def _russian(word: str) -> str:
    return snowball("russian").stemWord(word.replace("ё", "е"))


@lru_cache(maxsize=100_000)
def _arabic(word: str) -> str:
    from search.multilingual import arabic_stem, normalise

    return arabic_stem(normalise(word))


class ConceptTokenizer(Tokenizer):
    """The thesaurus concepts a text names, in any of the six languages, as tokens (their ids):
    the index keeps which practices speak of a concept, so a query naming it needs one term,
    not every label in every language as a phrase. Runs in the index writer's processes."""

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        mode="",
        **kwargs,
    ):
        from search.thesaurus import default

        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for position, (_start, _end, concept) in enumerate(
            default().concepts_in(value, document=True)
        ):
            token.text = concept.id
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos + position
            yield token


def concept_analyzer():
    return ConceptTokenizer()


def text_analyzer():
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | CJKBigramFilter()
        | CharsetFilter(accent_map)
        | SpellingVariantFilter()
        | StopFilter()
        | ScriptStemFilter()
    )


# The terms of the texts this thread analysed last for the index, for the pairs fields: Whoosh
# analyses a document's fields one after another, "body" before "pairs_body".
_indexed = threading.local()
_REMEMBERED = 8


class IndexingAnalyzer(Analyzer):
    """The text analysis, remembering the terms of the last few texts it indexed (not of
    queries), so that the pairs field of a long body does not analyse it a second time."""

    def __init__(self):
        self.inner = text_analyzer()

    def __call__(self, value, **kwargs):
        if kwargs.get("mode") != "index" or not kwargs.get("positions"):
            yield from self.inner(value, **kwargs)
            return
        texts = []
        for token in self.inner(value, **kwargs):
            texts.append(token.text)
            yield token
        memo = getattr(_indexed, "terms", None)
        if memo is None or len(memo) >= _REMEMBERED:
            memo = _indexed.terms = {}
        memo[value] = texts


class PairAnalyzer(Analyzer):
    """Each two neighbouring terms of the text analysis as one term ("referr mechan"), for the
    pairs fields of the schema: a phrase of two words is then one posting list to read instead
    of the positions of every document holding both words. Stop words are gone and positions
    renumbered before pairing, as for phrase queries, so a pair stands for exactly the phrase."""

    def __init__(self):
        self.inner = text_analyzer()

    def __call__(self, value, **kwargs):
        memo = getattr(_indexed, "terms", None) or {}
        texts = memo.get(value)
        if texts is None:
            mode = kwargs.get("mode", "index")
            texts = [token.text for token in self.inner(value, positions=True, mode=mode)]
        token = Token(positions=False, chars=False, removestops=True, mode="index", boost=1.0)
        for first, second in pairwise(texts):
            token.text = pair_term(first, second)
            yield token


def pair_term(first: str, second: str) -> str:
    return f"{first} {second}"


def spelling_analyzer():
    """Whole words, for 'did you mean': no stemming, no stop words dropped but short ones."""
    return (
        RegexTokenizer(r"[^\W\d_]{3,}")
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | SpellingVariantFilter()
    )

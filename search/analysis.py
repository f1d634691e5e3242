"""Text analysis: one English analyzer for indexing and querying, and one for spelling.

Both fold accents and bring US spellings to the UK form, so "labor" finds "labour" and
"organization" finds "organisation" at index and query time alike.
"""

import re
from functools import lru_cache

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

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


# Bumped whenever the analysis below changes what terms a text gives: an index built with
# another version is rebuilt from the database (SearchIndex.verify).
ANALYSIS_VERSION = "2"
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


def text_analyzer():
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | CJKBigramFilter()
        | CharsetFilter(accent_map)
        | SpellingVariantFilter()
        | StopFilter()
        | StemFilter()
    )


def spelling_analyzer():
    """Whole words, for 'did you mean': no stemming, no stop words dropped but short ones."""
    return (
        RegexTokenizer(r"[^\W\d_]{3,}")
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | SpellingVariantFilter()
    )

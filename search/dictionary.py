"""Whether a word is a word of its language, whatever the collection holds.

The spelling correction (querying.QueryBuilder.correct) replaces a word the index does not know
by the nearest one it does. A real word that the practices happen not to use is no typo:
"shaping" is not "sharing", the Spanish "planes" is not "places", "المتورطين" (those involved)
is not "المتجرين" (traffickers). So a word found here is never corrected.

The word lists are pyspellchecker's (MIT): frequency lists of English, French, Spanish,
Russian and Arabic built from film subtitles, rare words (most misspellings) removed. This
module is the only one that reads them, so another source can replace them here. A language is
loaded in a thread after the index's first commit (preload), or else on the first query word
in its script, and kept as sorted 64-bit hashes of the words rather than as the package's
dictionary of strings: 4.2 MB for the five languages' 520,000 words, loaded in about 0.9 s.
"""

import threading

import numpy as np
from whoosh.support.charset import accent_map

from search.analysis import ARABIC, CYRILLIC
from search.multilingual import normalise

LATIN = ("en", "fr", "es")
_loaded: dict[str, np.ndarray] = {}
_lock = threading.Lock()
_loader: list[threading.Thread] = []  # the preload's thread, once started


def _key(word: str) -> int:
    """A word without case, accents or Arabic letter variants, as a 64-bit hash: typed
    "explotacion" is the dictionary's "explotación", "الاتجار" its "الإتجار". Python's own
    string hash, salted per process: the hashes are made and looked up in the same one."""
    return hash(normalise(word).translate(accent_map))


def _words(language: str) -> np.ndarray:
    hashes = _loaded.get(language)
    if hashes is None:
        with _lock:
            hashes = _loaded.get(language)
            if hashes is None:
                from spellchecker import SpellChecker

                words = SpellChecker(language=language, distance=1).word_frequency.dictionary
                hashes = np.unique(np.fromiter(map(_key, words), np.int64, count=len(words)))
                _loaded[language] = hashes
    return hashes


def preload() -> None:
    """Load every language in a thread of its own (once), so that no search waits for it."""
    languages = (*LATIN, "ru", "ar")
    with _lock:
        if _loader:
            return
        _loader.append(threading.Thread(target=lambda: [_words(x) for x in languages], daemon=True))
    _loader[0].start()


def wait(timeout: float | None = None) -> None:
    """Until the word lists preload started are loaded (benchmarks time searches after it)."""
    if _loader:
        _loader[0].join(timeout)


def languages_of(word: str) -> tuple[str, ...]:
    """The languages whose dictionary may hold the word, by its script (none for Chinese:
    its words are matched by characters and never corrected)."""
    if CYRILLIC.search(word):
        return ("ru",)
    if ARABIC.search(word):
        return ("ar",)
    if word.isascii() or word.translate(accent_map).isascii():
        return LATIN
    return ()


def is_word(word: str) -> bool:
    """Whether the word is in the dictionary of a language it could be in."""
    key = np.int64(_key(word))
    for language in languages_of(word):
        hashes = _words(language)
        position = int(np.searchsorted(hashes, key))
        if position < len(hashes) and hashes[position] == key:
            return True
    return False

"""Words of the six UN languages reduced to comparable stems.

Arabic is normalised first (alef and hamza forms, ta marbuta, alef maqsura, diacritics and
tatweel); English, French, Spanish, Russian and Arabic are stemmed with Snowball; Chinese has no
spaces between words, so it is compared as text (a label matches where its characters appear).
"""

import re
import threading
import unicodedata
from functools import lru_cache

STEMMED = {"en": "english", "fr": "french", "es": "spanish", "ru": "russian", "ar": "arabic"}
_PLURAL = re.compile(r"(?<=\w\w)(?:(ies)|(?:(?<=[sxz])|(?<=ch)|(?<=sh))es|(?<![su'])s)$")
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")
_WORD = re.compile(r"\w+")
# Snowball's French stemmer keeps a plural's s after a vowel ("lois", "numéros", "radios") and
# stems some plurals otherwise than their singulars ("conflits" to "conflit", "conflit" to
# "confl"), so "lois sur le devoir de vigilance" named no law. A final s (not of "ss") is taken
# off first, from every word alike: a word whose singular ends in s ("pays", "abus") loses it
# in both numbers, so its forms still meet.
_FRENCH_PLURAL = re.compile(r"(?<=\w\w\w)(?<!s)s$")
# Spanish likewise: Snowball stems "mujeres" "mujer" but "mujer" "muj", "hogares" "hogar" but
# "hogar" "hog", "líneas" "lin" but "línea" "line". The plural ending goes first: -ces to -z
# ("precoces"), -es after r, d, l, n, j, y or s ("mujeres", "unidades", "leyes", "países"), else
# an s after an unaccented vowel ("líneas", "días"; "país" and "interés" are singular); a word
# alike in both numbers ("crisis") loses it in both.
_SPANISH_PLURAL = (
    (re.compile(r"(?<=\w\w\w)ces$"), "z"),
    (re.compile(r"(?<=\w\w\w)(?<=[rdlnjys])es$"), ""),
    (re.compile(r"(?<=\w\w\w)(?<=[aeiou])s$"), ""),
)
_ARABIC_DIACRITICS = re.compile("[\u064b-\u0652\u0670\u0640]")  # harakat, dagger alef, tatweel
_ARABIC_LETTERS = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي"})


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _ARABIC_DIACRITICS.sub("", text)
    return text.translate(_ARABIC_LETTERS)


_PER_THREAD = threading.local()


def snowball(algorithm: str):
    """A Snowball stemmer for this thread: a stemmer keeps the word it works on in itself, so
    two requests stemming at once with one shared stemmer corrupt each other (IndexError)."""
    stemmers = _PER_THREAD.__dict__.setdefault("stemmers", {})
    if algorithm not in stemmers:
        import snowballstemmer

        stemmers[algorithm] = snowballstemmer.stemmer(algorithm)
    return stemmers[algorithm]


def stems(text: str, language: str) -> tuple[str, ...]:
    """The text's words as stems of one language (for Chinese: the characters, unsplit)."""
    words = _WORD.findall(normalise(text))
    if language not in STEMMED:
        return tuple(words)
    return tuple(_stem(language, word) for word in words)


@lru_cache(maxsize=200_000)
def _stem(language: str, word: str) -> str:
    """One word's stem (cached: a collection has far fewer distinct words than words)."""
    if language == "en":
        return _english(word)
    if language == "ar":
        return arabic_stem(word)
    if language == "fr":
        word = _FRENCH_PLURAL.sub("", word)
    elif language == "es":
        for plural, singular in _SPANISH_PLURAL:
            word, found = plural.subn(singular, word)
            if found:
                break
    return snowball(STEMMED[language]).stemWord(word)


# The article, alone or after "and", "so", "with", "like" or "for" ("ال", "وال", "فال", "بال",
# "كال", "لل"), taken off before Snowball's Arabic stemmer, when a word of three letters at least
# follows (as light stemmers do: Larkey et al., "light10"). Snowball left "وال" and "فال" whole,
# so "والاتجار" (and trafficking) was not "الاتجار"; and it ends a word with the article
# otherwise than the same word without it, which Arabic writes in most phrases ("حماية الضحايا",
# protection of the victims): "الحماية" gave "حمايه" and "حماية" gave "حما", "الضحايا" "ضحايا"
# and "ضحايا" "ضحاي". Without the article first, both forms end the same.
_ARABIC_ARTICLE = re.compile(r"^(?:[وف]?(?:ال|بال|كال)|لل)(?=\w{3})")


def arabic_stem(word: str) -> str:
    """An Arabic word, already normalised, as the index and the thesaurus stem it."""
    return snowball("arabic").stemWord(_ARABIC_ARTICLE.sub("", word))


def _english(word: str) -> str:
    """English words to their singular, UK spelling: labels name things, and a full stemmer
    makes "organized" name "organizations" and "prosecuted" name "prosecution"."""
    from search.analysis import uk_spelling

    return _PLURAL.sub(lambda m: "y" if m.group(1) else "", uk_spelling(word))


def contains(haystack: tuple[str, ...], needle: tuple[str, ...]) -> bool:
    """Whether the stems of a label appear together, in order, in the stems of a text."""
    size = len(needle)
    if not size or size > len(haystack):
        return False
    first = needle[0]
    return any(
        haystack[i] == first and haystack[i : i + size] == needle
        for i in range(len(haystack) - size + 1)
    )

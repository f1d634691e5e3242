"""The words a delegate says about a practice: one or two sentences that name it, say who did
what, where and when, and what changed, then a short spoken citation.

Built from the practice's own summary (written as one sentence about who did what, where and
when) and its results (what changed); the practice is named at the start unless the summary
already names it. Pure functions of the public document, so the page, the exports and the
tests agree.
"""

import re

from repository.i18n import _, current_locale

BRIEF_LANGUAGE = "en"  # the language of a brief made outside a request (tests, scripts)
WORDS_PER_MINUTE = 130  # about 400 words in a 3-minute intervention
# How fast a delegate speaks, per language: words a minute, or characters a minute in Chinese,
# which does not write spaces between words. English is the measured 130 (docs/DOMAIN: about
# 400 words in 3 minutes); the others are set so the same content takes the same time: French
# and Spanish say it in about 15% more words, Russian and Arabic in about 15-20% fewer, and
# Chinese in about 1.7 characters per English word.
RATES = {"en": 130, "fr": 150, "es": 150, "ru": 110, "ar": 105, "zh": 220}
CHARACTER_COUNTED = frozenset({"zh"})
FIRST_WORDS, SECOND_WORDS = 42, 32
# A sentence ends at a full stop before a capital (or a letter of a script without capitals,
# such as Arabic), or at a Chinese full stop.
_SENTENCE = re.compile(r"(?<=[.!?؟])\s+(?=[A-Z0-9“\"'(\u0600-\u06ff])|(?<=[。！？])\s*")
_COUNTED_CHARACTER = re.compile(r"[^\s\W_]|[\u3400-\u9fff]")
_WORD = re.compile(r"\S+")
_PARENTHESIS = re.compile(r"\s*\(([^()]*)\)")
_MARKDOWN = re.compile(r"[*_`#>\[\]]")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z.&/-]{1,9}$")
# Words that say nothing about which practice this is.
_COMMON = frozenset(
    "the and of on for against in to with a an by its their at from human trafficking "
    "persons person people beings combat combating fight fighting national un".split()
)


def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))


def language() -> str:
    """The brief's language: the interface language of the request (English outside one)."""
    return current_locale()


def spoken_count(text: str, language: str) -> int:
    """What the speaking rate counts: words, or letters and digits in Chinese."""
    if language in CHARACTER_COUNTED:
        return len(_COUNTED_CHARACTER.findall(text or ""))
    return word_count(text)


def rate(language: str) -> int:
    return RATES.get(language, WORDS_PER_MINUTE)


def speaking_seconds(count: int, language: str = "en") -> int:
    return round(count * 60 / rate(language))


def timing(count, time, language: str) -> str:
    """ "N words, about M:SS spoken at R words a minute", counted as the language is."""
    values = {"count": count, "time": time, "rate": rate(language)}
    if language in CHARACTER_COUNTED:
        return _("%(count)s characters, about %(time)s spoken at %(rate)s characters a minute.") % (
            values
        )
    return _("%(count)s words, about %(time)s spoken at %(rate)s words a minute.") % values


def over_limit_note(limit: int, language: str) -> str:
    if language in CHARACTER_COUNTED:
        return _(
            "Longer than 3 minutes (about %(limit)s characters): remove a practice or shorten "
            "a line."
        ) % {"limit": limit}
    return _(
        "Longer than 3 minutes (about %(limit)s words): remove a practice or shorten a line."
    ) % {"limit": limit}


def clock(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def _plain(text: str) -> str:
    return " ".join(_MARKDOWN.sub("", text or "").split())


def sentences(text: str) -> list[str]:
    plain = _plain(text)
    return [s.strip() for s in _SENTENCE.split(plain) if s.strip()] if plain else []


# A comma before one of these words starts a clause that can go without breaking the sentence.
_CLAUSE = re.compile(
    r"(?:, (?=(?:and|which|who|with|including|such|from|while|but|so|after|where|backed|"
    r"giving|helping|making|supported|covering|as)\b)|; | – | — )"
)
MAX_WHOLE = 60  # a sentence this long is said whole rather than cut mid-thought


# Chinese: a word of the limits above is about 1.7 characters; clauses end at these marks.
CHARACTERS_PER_WORD = RATES["zh"] / RATES["en"]
_CHINESE_CLAUSE = re.compile(r"[，；：,;]")  # not 、, which parts the items of a list


def _shorten_characters(sentence: str, limit: int) -> str:
    """The same rule counted in characters, for a language written without spaces."""
    most = round(limit * CHARACTERS_PER_WORD)
    if len(sentence) <= most:
        return sentence
    kept = sentence[:most]
    cuts = [m.start() for m in _CHINESE_CLAUSE.finditer(kept) if m.start() > most * 0.5]
    if cuts:
        return kept[: cuts[-1]] + "。"
    if len(sentence) <= round(MAX_WHOLE * CHARACTERS_PER_WORD):
        return sentence
    return kept + "…"


def _shorten(sentence: str, limit: int, language: str = "en") -> str:
    """At most `limit` words, cut where a clause starts; a sentence with no such place is said
    whole up to MAX_WHOLE words, and only a longer one is cut short."""
    if language in CHARACTER_COUNTED:
        return _shorten_characters(sentence, limit)
    words = sentence.split()
    if len(words) <= limit:
        return sentence
    kept = " ".join(words[:limit])
    cuts = [m.start() for m in _CLAUSE.finditer(kept) if m.start() > len(kept) * 0.5]
    if cuts:
        return kept[: cuts[-1]].rstrip(",;:–—- ") + "."
    if len(words) <= MAX_WHOLE:
        return sentence
    return kept.rstrip(",;:–—- ") + "…"


def _is_chinese(text: str) -> bool:
    han = len(re.findall(r"[\u3400-\u9fff]", text or ""))
    return han > len(text or "") * 0.3


def short_name(title: str) -> str:
    """How a speaker names the practice: the short name a long title gives in brackets
    ("... (UN Trafficking Protocol)"), else the title without brackets, subtitles or, when
    it is long, what follows its first "on", "for", "against" or comma."""
    outside = _PARENTHESIS.sub("", title).strip()
    for inside in _PARENTHESIS.findall(title):
        words = inside.split()
        if len(outside.split()) > 9 and len(words) >= 2 and not re.search(r"\d", inside):
            return inside.strip()
    name = outside
    for separator in (" – ", " — ", ": "):
        head = name.split(separator, 1)[0].strip()
        if len(head) >= 6:
            name = head
    if len(name.split()) > 8:
        cut = re.search(r",| (?:on|for|against|to) ", name[len(" ".join(name.split()[:2])) :], re.I)
        if cut:
            name = name[: len(" ".join(name.split()[:2])) + cut.start()]
    return name.strip()


def short_organisation(name: str) -> str:
    """ "United Nations Office on Drugs and Crime (UNODC)" -> "UNODC"; other brackets go."""
    for inside in _PARENTHESIS.findall(name or ""):
        if _ACRONYM.match(inside.strip()):
            return inside.strip()
    return _PARENTHESIS.sub("", name or "").strip().rstrip(",")


def _stem(word: str) -> str:
    return re.sub(r"[^\w]", "", word.lower())[:5]


def _key_words(text: str) -> set[str]:
    words = (re.sub(r"['’]s$", "", w) for w in re.findall(r"[\w.'’-]+", text))  # Unia's: Unia
    return {_stem(w) for w in words if w.lower() not in _COMMON and len(w) > 2}


def names_it(sentence: str, name: str) -> bool:
    """Whether a sentence names the practice: most of its name's telling words are there."""
    wanted = _key_words(name)
    if not wanted:
        return True
    found = _key_words(sentence)
    return len(wanted & found) >= max(1, round(len(wanted) * 0.6))


def _overlap(a: str, b: str) -> float:
    left, right = _key_words(a), _key_words(b)
    return len(left & right) / max(1, min(len(left), len(right)))


def _years(document: dict) -> str:
    start, end = document.get("start_year"), document.get("end_year")
    if not start:
        return ""
    if end and end != start:
        return f"{start}–{end}"
    return str(start) if end else _("since %(year)s") % {"year": start}


def _in_language(document: dict, language: str) -> tuple[str, str, bool]:
    """Title and summary in the brief's language when a translation exists; whether the
    practice's other text (results) is in that language too."""
    if document.get("language", language) == language:
        return document["title"], document.get("summary", ""), True
    translated = (document.get("translations") or {}).get(language)
    if translated:
        return translated["title"], translated["summary"], False
    return document["title"], document.get("summary", ""), False


def spoken_source(document: dict) -> str:
    """A citation short enough to say: the most recent dated source's publisher and year,
    else the lead organisation."""
    sources = document.get("sources") or []
    dated = sorted((s for s in sources if s.get("year")), key=lambda s: -s["year"])
    source = dated[0] if dated else (sources[0] if sources else None)
    if source and source.get("publisher"):
        who = short_organisation(source["publisher"])
        return _cite(who, source.get("year"))
    return _cite(short_organisation(document.get("organisation", "")), document.get("start_year"))


def _cite(who: str, year) -> str:
    """The spoken citation in the brief's language (the interface language)."""
    if year:
        # Translators: a citation read aloud at the end of a line of the brief.
        return _("Source: %(who)s, %(year)s.") % {"who": who, "year": year}
    return _("Source: %(who)s.") % {"who": who}


def spoken_line(document: dict, language: str | None = None) -> str:
    """One or two sentences and a spoken citation, ready to read aloud."""
    language = language or current_locale()
    title, summary, results_readable = _in_language(document, language)
    name = short_name(title)
    told = sentences(summary)
    # Counted as the text is written: a Chinese summary (or translation) in characters.
    counted = "zh" if _is_chinese(summary) else "en"
    first = _shorten(told[0], FIRST_WORDS, counted) if told else ""
    # What changed: the results, unless they only repeat the summary; else the summary's
    # second sentence.
    candidates = [*(sentences(document.get("results", "")) if results_readable else []), *told[1:]]
    second = next((s for s in candidates if first and _overlap(first, s) < 0.5), "")
    second = _shorten(second, SECOND_WORDS, counted) if second else ""
    start = str(document.get("start_year") or "")
    dated = not start or start in first or start in second or "since" in first.lower()
    if not first:
        first = f"{name}."
    elif not names_it(first, name) or not dated:
        first = _named(first, name, document, dated, language)
    return " ".join(part for part in (first, second, spoken_source(document)) if part)


_ARTICLE = re.compile(r"^(The|A|An|This|These) ")


def _named(first: str, name: str, document: dict, dated: bool, language: str) -> str:
    """The practice's name (and years) before the first sentence, after a colon; in English the
    sentence's article is then lower-cased ("AU.COMMIT: a continental campaign ...")."""
    years = "" if dated else _years(document)
    opener = f"{name}, {years}" if years else name
    return f"{opener}: {_lower_article(first) if language == 'en' else first}"


def _lower_article(sentence: str) -> str:
    return _ARTICLE.sub(lambda m: m[0].lower(), sentence)

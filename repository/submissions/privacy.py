"""The privacy check: what looks like personal data in a practice's free text.

Entries describe programmes, never people. The check looks for e-mail addresses, phone numbers
in national and international forms, personal names (after a title such as "Ms" or "السيدة", after
"named" or "llamada", or with an initial such as "Mary K."), ages next to places ("a 16-year-old
from Évora", "16 ans originaire de Soubré", "来自云南的16岁女孩") and passport or identity numbers,
in the six UN languages. Letters are Unicode letters throughout, so "Évora" and "Кишинёва" are
found whole.

A finding does not block a draft. To submit, the partner edits the text until the finding goes,
or explains, finding by finding, why it is not personal data (`unexplained`); curators see the
findings with the explanations. Each finding has a `key` (a digest of where it is and what it
says), so an explanation stays with its finding while the rest of the text changes, and the
explanation store never holds the flagged text itself.
"""

import hashlib
import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache

from repository.i18n import N_

# Free text a reader sees, by the record's field names; translations and source titles too.
FREE_TEXT_FIELDS = ("title", "summary", "description", "results", "lessons_learned")
EXPLANATION_MIN_CHARS = 15

KINDS = {
    "email": N_("e-mail address"),
    "phone": N_("phone number"),
    "name": N_("personal name"),
    "initial": N_("name with an initial"),
    "age_place": N_("age next to a place"),
    "id_number": N_("passport or identity number"),
}


@cache
def _char_class(predicate_name: str) -> str:
    """A regular-expression class of every character for which str.<predicate>() is true
    (Python's `re` has no \\p{Lu}); built once, as ranges."""
    predicate = getattr(str, predicate_name)
    ranges, start, previous = [], None, None
    for code in range(sys.maxunicode + 1):
        if predicate(chr(code)) and unicodedata.category(chr(code)) in ("Lu", "Lt", "Ll"):
            if start is None:
                start = code
            previous = code
        elif start is not None:
            ranges.append((start, previous))
            start = None
    if start is not None:
        ranges.append((start, previous))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


UP = f"[{_char_class('isupper')}]"
LOW = f"[{_char_class('islower')}]"
# A capitalised word in a cased script (Latin, Cyrillic, Greek...), hyphens and apostrophes
# inside: "Évora", "Soubré", "Кишинёва", "N'Djamena", "Jean-Pierre".
NAME = rf"{UP}{LOW}+(?:[-'’]{UP}?{LOW}+)*"
HAN = r"[\u3400-\u4dbf\u4e00-\u9fff]"
ARABIC_WORD = (
    r"(?!العمر)[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff][\u0621-\u065f\u066e-\u06d3\u06fa-\u06ff]*"
)
DIGITS = r"\d{1,2}"  # \d is Unicode: Arabic-Indic digits count too

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")

# Digits with the separators phone numbers are written with; checked further in _is_phone.
_PHONE = re.compile(r"(?<![\w/.,])(?:\+|00)?\(?\d[\d\s().\-–]{6,}\d(?![\w/])(?!\.\d)")
_YEARS = re.compile(r"^(?:1[89]|20)\d\d(?:\s*[-–]\s*(?:(?:1[89]|20)?\d\d))?$")
_DATE = re.compile(r"^\d{1,4}[.\-]\d{1,2}[.\-]\d{1,4}$")
_THOUSANDS = re.compile(r"^[1-9]\d{0,2}(?:[\s.]\d{3})+$")

HONORIFICS = (
    # English, French, Spanish (and Portuguese), Russian
    r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|M\.|Mme|Mlle|Monsieur|Madame|Mademoiselle|Sr|Sra|Srta|Señor"
    r"|Señora|Señorita|Don|Doña|Dona|г-н|г-жа|господин|госпожа|гражданин|гражданка"
    # Russian titles open sentences too.
    r"|Г-н|Г-жа|Господин|Госпожа|Гражданин|Гражданка"
)
NAMING_WORDS = (
    r"named|called|nicknamed|victim|survivor|nommée?|appelée?|prénommée?|surnommée?|victime"
    r"|survivante?|llamad[oa]|de nombre|víctima|sobreviviente|по имени|зовут|жертва"
)
_NAME_PATTERNS = (
    re.compile(rf"(?<!\w)(?:{HONORIFICS})\.?\s+{NAME}(?:\s+{NAME})?"),
    re.compile(rf"(?<!\w)(?i:{NAMING_WORDS})\s+{NAME}(?:\s+{NAME})?"),
    # Arabic: a title or "her/his name is", then a name.
    re.compile(
        rf"(?:السيد|السيدة|الآنسة|المدعو|المدعوة|اسمها|اسمه|تدعى|يدعى|الضحية)\s+{ARABIC_WORD}"
        rf"(?:\s+{ARABIC_WORD})?"
    ),
    # Chinese: a surname and given name before a title, or after "named".
    re.compile(rf"{HAN}{{1,3}}(?:先生|女士|小姐)|(?:名叫|叫做|名为|受害者){HAN}{{2,3}}"),
)
# Words before "A." that make it a label rather than a name's initial ("Annex A.").
NOT_NAMES = frozenset(
    "annex phase part section article chapter title schedule appendix table figure plan level "
    "tier grade class category group war protocol type model option volume vol book stage "
    "round team unit zone area block box point item step module paragraph clause list "
    "annexe partie chapitre tableau anexo parte capítulo cuadro".split()
)
# Dotted abbreviations that look like initials: "U.S. Department".
ACRONYMS = frozenset({"US", "UK", "UN", "EU", "UAE", "USA"})
_NAME_INITIAL = re.compile(rf"(?<![\w.])({NAME})\s+({UP})\.(?=\s|$|[,;:)\]])")
_INITIAL_NAME = re.compile(rf"(?<=[\s(\[])({UP})\.\s?(?:-?{UP}\.\s?)?({NAME})")

PLACE_WORDS = (
    r"from|in|at|of|near|de|d'|d’|à|au|aux|en|originaire de|originario de|originaria de"
    r"|procedente de|desde|iz|из|в|во|с|под"
)
AGE_WORDS = (
    rf"{DIGITS}[- ]?(?:years?[- ]old|yrs?[- ]old|year[- ]olds?)"
    rf"|(?:aged?|âgée?s?|de edad de)\s+{DIGITS}"
    rf"|{DIGITS}\s*(?:ans|años|anos|лет|года|годов)"
    rf"|{DIGITS}[- ]?летн\w+"
)
# Age and place words in any case; the place itself capitalised (in a cased script).
_AGE_PLACE = (
    re.compile(rf"(?<!\w)(?i:{AGE_WORDS})(?!\w)[^.;\n]{{0,40}}?(?<!\w)(?i:{PLACE_WORDS})\s+{NAME}"),
    re.compile(rf"(?<!\w)(?i:{PLACE_WORDS})\s+{NAME}[^.;\n]{{0,30}}?(?<!\w)(?i:{AGE_WORDS})(?!\w)"),
    # Arabic: an age in years, then "from" or "in" a place (or the other way round).
    re.compile(
        rf"{DIGITS}\s*(?:عامًا|عاما|عام|سنة|سنوات)[^.؛\n]{{0,40}}?(?:من|في)\s+{ARABIC_WORD}"
        rf"|(?:من|في)\s+{ARABIC_WORD}[^.؛\n]{{0,30}}?{DIGITS}\s*(?:عامًا|عاما|عام|سنة|سنوات)"
    ),
    # Chinese: "from Yunnan ... 16 years old", "16岁 ... 来自云南".
    re.compile(
        rf"(?:来自|在){HAN}{{2,8}}[^。；\n]{{0,10}}?{DIGITS}\s*岁"
        rf"|{DIGITS}\s*岁[^。；\n]{{0,10}}?(?:来自|在){HAN}{{2,8}}"
    ),
)

ID_WORDS = (
    r"passport|passeport|pasaporte|passaporte|паспорт\w*|identity card|ID card|ID number"
    r"|carte d'identité|carte d’identité|DNI|cédula|удостоверени\w+|جواز سفر|جواز|بطاقة هوية"
    r"|护照|身份证"
)
_ID_NUMBERS = (
    re.compile(
        rf"(?:{ID_WORDS})\s*(?:No\.?|n[°º]|№|number|numéro|número|номер|رقم|号码|号)?\s*[:#]?\s*"
        r"[A-Z0-9][A-Z0-9 \-]{4,14}\d",
        re.IGNORECASE,
    ),
    re.compile(r"(?<![\w/\-])[A-Z]{1,2}\d{6,9}(?![\w/\-])"),
)


@dataclass(frozen=True)
class PrivacyWarning:
    field: str  # the record's field: "description", "translations.fr.summary", "sources[2]"
    kind: str  # a key of KINDS
    excerpt: str

    @property
    def key(self) -> str:
        """Names the finding without holding its text: explanations are stored by it."""
        digest = hashlib.sha256(f"{self.field}\x00{self.kind}\x00{self.excerpt}".encode())
        return digest.hexdigest()[:20]

    @property
    def label(self) -> str:
        return KINDS[self.kind]


def _is_phone(found: str) -> bool:
    digits = sum(c.isdigit() for c in found)
    if not 8 <= digits <= 15:
        return False
    plain = found.strip("() ")
    if _YEARS.match(plain) or _DATE.match(plain):
        return False
    international = found.lstrip("(").startswith(("+", "00"))
    # "12 500 000 euros" is a number written with thousands separators, not a phone.
    return international or "(" in found or not _THOUSANDS.match(plain)


def _texts(record: dict) -> list[tuple[str, str]]:
    texts = [(field, record.get(field) or "") for field in FREE_TEXT_FIELDS]
    translations = record.get("translations") or {}
    if isinstance(translations, dict):
        for language, item in sorted(translations.items(), key=lambda kv: str(kv[0])):
            if isinstance(item, dict):
                for part in ("title", "summary"):
                    texts.append((f"translations.{language}.{part}", item.get(part) or ""))
    for position, source in enumerate(record.get("sources") or [], start=1):
        if isinstance(source, dict):
            texts.append((f"sources[{position}]", source.get("title") or ""))
    return [(field, text) for field, text in texts if isinstance(text, str) and text]


def _in_word(character: str) -> bool:
    """A letter or digit of a script that separates words by spaces (not Chinese)."""
    return character.isalnum() and not ("\u3400" <= character <= "\u9fff")


def _excerpt(text: str, start: int, end: int) -> str:
    """The match, widened to whole words and cut at a word, never inside one."""
    while start > 0 and _in_word(text[start - 1]):
        start -= 1
    while end < len(text) and _in_word(text[end]):
        end += 1
    found = " ".join(text[start:end].split())
    if len(found) > 80:
        found = found[:80].rsplit(" ", 1)[0] + "…"
    return found


def _matches(text: str) -> list[tuple[str, int, int]]:
    found = [("email", m.start(), m.end()) for m in _EMAIL.finditer(text)]
    emails = [(s, e) for _k, s, e in found]
    for match in _PHONE.finditer(text):
        inside_email = any(s <= match.start() < e for s, e in emails)
        if not inside_email and _is_phone(match.group(0)):
            found.append(("phone", match.start(), match.end()))
    for pattern in _NAME_PATTERNS:
        found += [("name", m.start(), m.end()) for m in pattern.finditer(text)]
    for match in _NAME_INITIAL.finditer(text):
        word, initial = match.group(1), match.group(2)
        if word.casefold() not in NOT_NAMES and initial not in "IVX":
            found.append(("initial", match.start(), match.end()))
    for match in _INITIAL_NAME.finditer(text):
        dotted = match.group(0).replace(" ", "").split(".")
        if match.group(2).casefold() not in NOT_NAMES and "".join(dotted[:-1]) not in ACRONYMS:
            found.append(("initial", match.start(), match.end()))
    for pattern in _AGE_PLACE:
        found += [("age_place", m.start(), m.end()) for m in pattern.finditer(text)]
    for pattern in _ID_NUMBERS:
        found += [("id_number", m.start(), m.end()) for m in pattern.finditer(text)]
    return found


def scan(record: dict) -> list[PrivacyWarning]:
    """Every finding in the record's free text, in reading order, each once."""
    warnings, seen = [], set()
    for field, text in _texts(record):
        spans = sorted(_matches(text), key=lambda m: (m[1], -m[2]))
        covered: list[tuple[int, int, str]] = []
        for kind, start, end in spans:
            # Words inside a finding already made are not a second one.
            if any(s <= start and end <= e for s, e, _k in covered):
                continue
            covered.append((start, end, kind))
            warning = PrivacyWarning(field, kind, _excerpt(text, start, end))
            if warning.key not in seen:
                seen.add(warning.key)
                warnings.append(warning)
    return warnings


def unexplained(
    warnings: list[PrivacyWarning], explanations: dict[str, str]
) -> list[PrivacyWarning]:
    """The findings without an explanation long enough to say something."""
    return [
        w for w in warnings if len((explanations.get(w.key) or "").strip()) < EXPLANATION_MIN_CHARS
    ]


def stored_texts(stored: dict | None) -> dict[str, str]:
    """{key: explanation} from what a practice or update keeps."""
    return {
        key: value.get("text", "")
        for key, value in (stored or {}).items()
        if isinstance(value, dict) and isinstance(value.get("text"), str)
    }

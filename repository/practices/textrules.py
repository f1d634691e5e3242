"""The shape of free text in a record, written once as regular expressions: the validator
matches with them and the OpenAPI document publishes them, so the API's description and the
server cannot disagree (schemathesis checks both ways).

They spell white space out rather than use `\\s`, which Python, Rust (the validator inside
schemathesis) and ASCII mode each read differently; the set is what `str.isspace()` accepts,
which `str.strip()` and `str.split()` use, less the control characters refused anyway. Lone
surrogates are refused by the validator but not named here: no regex engine but Python's takes
them, and no JSON generator makes them.
"""

import re
from functools import cache

# White space that may appear in text: str.isspace() less U+000B, U+000C and U+001C..U+001F.
_WHITE = r"\t\n\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Control characters XML 1.0 forbids (tab, line feed and carriage return are white space).
_CONTROL = r"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff"
ALLOWED = f"[^{_CONTROL}]"
SPACE = f"[{_WHITE}]"
WORD_CHAR = f"[^{_WHITE}{_CONTROL}]"
HOST_CHAR = f"[^{_WHITE}{_CONTROL}/?#@\\[\\]]"


@cache
def any_text(also_refused: str = "") -> str:
    """Any text without control characters; `also_refused`: more characters (class syntax)."""
    return f"^[^{_CONTROL}{also_refused}]*$"


@cache
def non_blank() -> str:
    """At least one character that is not white space."""
    return f"^{SPACE}*{WORD_CHAR}{ALLOWED}*$"


@cache
def at_most_words(words: int, also_refused: str = "") -> str:
    """At most `words` runs of non-space characters (what `len(text.split())` counts);
    `also_refused`: characters to refuse besides control characters (regex class syntax)."""
    word = WORD_CHAR[:-1] + also_refused + "]"
    return f"^{SPACE}*(?:{word}+{SPACE}+){{0,{words - 1}}}(?:{word}+{SPACE}*)?$"


@cache
def web_address() -> str:
    """http or https, a host, then anything without spaces; spaces around are trimmed."""
    scheme = "[hH][tT][tT][pP][sS]?"
    return f"^{SPACE}*{scheme}://{HOST_CHAR}+(?:[/?#]{WORD_CHAR}*)?{SPACE}*$"


def matches(pattern: str, value: str) -> bool:
    """As a JSON Schema validator reads it: a closing `$` is the end of the string (Python's
    would also match before a final line feed)."""
    if pattern.endswith("$"):
        pattern = pattern[:-1] + r"\Z"
    return re.search(pattern, value) is not None

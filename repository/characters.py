"""Characters no text of ours may hold: those XML 1.0 forbids (C0 controls other than tab, line
feed and carriage return; lone surrogates; U+FFFE and U+FFFF).

One of them in a published summary made every Atom feed fail, and a NUL made PostgreSQL refuse
the whole statement. So they are taken out wherever text comes in (forms, JSON, imports) and,
for rows stored before that, wherever XML goes out.
"""

import re

# Word processors write a line break as U+000B and a page break as U+000C: keep the break.
_BREAKS = re.compile("[\x0b\x0c]")
FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """The text without forbidden characters (vertical tab and form feed become line feeds)."""
    if not FORBIDDEN.search(text):
        return text
    return FORBIDDEN.sub("", _BREAKS.sub("\n", text))


def clean_all(value):
    """Every string in a JSON value (keys included) cleaned; other values unchanged."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [clean_all(item) for item in value]
    if isinstance(value, dict):
        return {clean_all(key): clean_all(item) for key, item in value.items()}
    return value


def first_forbidden(text: str) -> str | None:
    """The first forbidden character as U+XXXX, or None (for error messages)."""
    found = FORBIDDEN.search(text)
    return f"U+{ord(found.group()):04X}" if found else None

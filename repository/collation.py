"""Sorting names as people expect (Côte d'Ivoire after Costa Rica, Åland next to Albania), not by
code point. The one place that knows which collation library is used: pyuca, a pure-Python
Unicode Collation Algorithm with its own key table (pinned exactly in pyproject.toml), so it can
be replaced by ICU's locale-tailored collation without touching the callers."""

from functools import cache


@cache
def _collator():
    import pyuca

    return pyuca.Collator()


def sort_key(text: str) -> tuple:
    return _collator().sort_key(text)

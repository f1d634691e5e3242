"""Two versions of a practice side by side, as a curator reads them: every field by its label,
codes by their names, Markdown rendered, and what differs marked (inserted words, removed
words, items only on one side; sources as a table matched by address).

`rows(new, old)` serves the review page (a submission against a published practice) and the
revisions page (a later revision against an earlier one); templates/_compare.html shows them.
"""

import difflib
import html
import re
from dataclasses import dataclass

from repository import facets, geography, scopes
from repository.i18n import _
from repository.markup import render_markdown
from repository.practices import messages
from repository.vocabularies import LANGUAGES, TAG_VOCABULARIES

PLAIN = ("title", "summary", "organisation")
MARKDOWN = ("description", "results", "lessons_learned")
CHOICES = {"practice_type": "practice_type", "evidence": "evidence"}
ORDER = (
    "title",
    "summary",
    "description",
    "results",
    "lessons_learned",
    "organisation",
    "partner_organisations",
    "actor_types",
    "scope",
    "countries",
    "pillars",
    "exploitation_forms",
    "target_groups",
    "instruments",
    "practice_type",
    "evidence",
    "start_year",
    "end_year",
    "language",
    "translations",
    "sources",
    "last_verified",
)


@dataclass
class Row:
    """One field of both versions. `kind` says how the template shows `new` and `old`:
    "words" and "items" are lists of (change, text) with change "same", "ins" or "del";
    "markdown" is rendered HTML, with `words` the changed words as running text; "sources" a
    list of sources, each with its `state`; "text" plain text."""

    field: str
    label: str
    kind: str
    new: object
    old: object
    same: bool
    words: list | None = None


def word_diff(new: str, old: str) -> tuple[list, list]:
    """Both texts as runs of words: those only in the new marked "ins", only in the old "del"."""
    a, b = old.split(), new.split()
    new_parts, old_parts = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            new_parts.append(("same", " ".join(b[j1:j2])))
            old_parts.append(("same", " ".join(a[i1:i2])))
            continue
        if j2 > j1:
            new_parts.append(("ins", " ".join(b[j1:j2])))
        if i2 > i1:
            old_parts.append(("del", " ".join(a[i1:i2])))
    return new_parts, old_parts


def inline_diff(new: str, old: str) -> list:
    """One running text: removed words beside the inserted ones."""
    a, b = old.split(), new.split()
    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            parts.append(("same", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("del", " ".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("ins", " ".join(b[j1:j2])))
    return parts


def _read(markdown: str | None) -> str:
    """The words a reader sees in rendered Markdown: its marks ("**", "#", links) are not
    differences a curator should have to read past."""
    shown = re.sub(r"<[^>]+>", " ", str(render_markdown(markdown or "")))
    return html.unescape(shown)


def _labels(field: str, values) -> list[str]:
    values = list(values or [])
    if field == "countries":
        return [geography.country(v).name if geography.country(v) else v for v in values]
    if field in TAG_VOCABULARIES:
        return [facets.label(field, v) for v in values]
    return [str(v) for v in values]


def _items(new_items: list[str], old_items: list[str]) -> tuple[list, list]:
    return (
        [("same" if item in old_items else "ins", item) for item in new_items],
        [("same" if item in new_items else "del", item) for item in old_items],
    )


def _scope(record: dict) -> str:
    scope = record.get("scope") or ""
    if not scope:
        return _("not chosen yet")
    text = _(dict(scopes.SCOPES).get(scope, scope))
    area = record.get("scope_area")
    if scope == "regional" and area in scopes.AREAS:
        text += f": {_(scopes.AREAS[area].name)}"
    return text


def _choice(field: str, value) -> str:
    if value in (None, ""):
        return _("not given")
    if field == "language":
        return _(LANGUAGES.label_of(value))
    return facets.label(CHOICES[field], value)


def _sources(sources: list[dict], other: list[dict], changed: str) -> list[dict]:
    """Each source with its state against the other version, matched by address."""
    others = {s.get("url"): s for s in other}
    found = []
    for source in sources:
        match = others.get(source.get("url"))
        state = changed if match is None else ("same" if match == source else "changed")
        found.append({**source, "state": state})
    return found


def _translations(record: dict) -> str:
    found = record.get("translations") or {}
    return "; ".join(
        f"{_(LANGUAGES.label_of(language))}: {item.get('title', '')}"
        for language, item in sorted(found.items())
    )


def row(field: str, new: dict, old: dict) -> Row:
    label = messages.label(field)
    a, b = new.get(field), old.get(field)
    if field in PLAIN:
        left, right = word_diff(a or "", b or "")
        return Row(field, label, "words", left, right, (a or "") == (b or ""))
    if field in MARKDOWN:
        same = (a or "") == (b or "")
        words = None if same else inline_diff(_read(a), _read(b))
        return Row(field, label, "markdown", render_markdown(a), render_markdown(b), same, words)
    if field in TAG_VOCABULARIES or field in ("countries", "partner_organisations"):
        left, right = _items(_labels(field, a), _labels(field, b))
        return Row(field, label, "items", left, right, list(a or []) == list(b or []))
    if field == "sources":
        a, b = list(a or []), list(b or [])
        left, right = _sources(a, b, "added"), _sources(b, a, "removed")
        return Row(field, label, "sources", left, right, a == b)
    if field == "scope":
        left, right = _scope(new), _scope(old)
    elif field in ("practice_type", "evidence", "language"):
        left, right = _choice(field, a), _choice(field, b)
    elif field == "translations":
        left, right = _translations(new), _translations(old)
    else:
        left, right = ("" if a is None else str(a)), ("" if b is None else str(b))
    return Row(field, label, "text", left, right, left == right)


def rows(new: dict, old: dict | None, only_changed: bool = False) -> list[Row]:
    """Every field of `new` beside `old` (or alone when there is nothing to compare with)."""
    found = [row(field, new, old if old is not None else new) for field in ORDER]
    if old is None:
        for r in found:
            r.old, r.same, r.words = None, True, None
    return [r for r in found if not (only_changed and r.same)]

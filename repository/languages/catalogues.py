"""The six catalogues checked against the template: every message translated, and every
translation keeping the placeholders of its message (a lost %(name)s shows a wrong sentence; a
changed one raises KeyError when the page is drawn).

Used by `practices i18n check` and by tests/unit/test_catalogues.py.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po

from repository.i18n import LOCALE_DIR, LOCALES, catalogue_path

TEMPLATE = LOCALE_DIR / "messages.pot"
# printf-style placeholders as Python's % operator reads them: %(name)s, %d, and %% (a percent).
_PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]*\d*(?:\.\d+)?([diouxXeEfFgGcrsa%])")


def placeholders(text: str) -> list[str]:
    """The placeholders of a message, sorted: names with their conversion, %% left out."""
    found = []
    for name, conversion in _PLACEHOLDER.findall(text or ""):
        if conversion != "%":
            found.append(f"{name}:{conversion}")
    return sorted(found)


@dataclass
class Report:
    language: str
    messages: int = 0
    translated: int = 0
    untranslated: list[str] = field(default_factory=list)
    fuzzy: list[str] = field(default_factory=list)
    broken: list[tuple[str, str]] = field(default_factory=list)  # (msgid, msgstr)
    stale: list[str] = field(default_factory=list)  # in the catalogue, no longer in the template

    @property
    def complete(self) -> bool:
        return not (self.untranslated or self.fuzzy or self.broken or self.stale)


def _read(path: Path):
    with path.open("rb") as handle:
        return read_po(handle)


def template_ids(template: Path = TEMPLATE) -> set:
    return {m.id for m in _read(template) if m.id}


def check(language: str, template: Path = TEMPLATE, directory: Path | None = None) -> Report:
    path = (directory / language / "LC_MESSAGES" / "messages.po") if directory else None
    path = path or catalogue_path(language)
    expected = template_ids(template)
    report = Report(language)
    if not path.exists():
        report.untranslated = sorted(str(m) for m in expected)
        report.messages = len(expected)
        return report
    catalogue = _read(path)
    seen = set()
    for message in catalogue:
        if not message.id:
            continue
        seen.add(message.id)
        if message.id not in expected:
            if not message.obsolete:
                report.stale.append(str(message.id))
            continue
        report.messages += 1
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        label = ids[0]
        if not all(strings):
            report.untranslated.append(label)
            continue
        if message.fuzzy:
            report.fuzzy.append(label)
            continue
        report.translated += 1
        # Every form of a plural keeps the singular's or the plural's placeholders (a form
        # for one may say "one" in words instead of %(num)d).
        allowed = [placeholders(i) for i in ids]
        for string in strings:
            if placeholders(string) not in allowed and not (
                len(ids) > 1 and set(placeholders(string)) <= set(placeholders(ids[-1]))
            ):
                report.broken.append((label, string))
    missing = sorted(str(m if not isinstance(m, tuple) else m[0]) for m in expected - seen)
    report.untranslated.extend(missing)
    report.messages += len(missing)
    return report


def check_all(template: Path = TEMPLATE) -> list[Report]:
    return [check(language, template) for language in LOCALES]


def fill_english(path: Path | None = None) -> int:
    """English is the language the messages are written in: its catalogue says each message
    as written (so it is complete, like the others). The number of messages filled."""
    from babel.messages.pofile import write_po

    path = path or catalogue_path("en")
    catalogue = _read(path)
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings) and not message.fuzzy:
            continue
        message.string = ids if isinstance(message.id, tuple) else ids[0]
        message.flags.discard("fuzzy")
        filled += 1
    with path.open("wb") as handle:
        write_po(handle, catalogue, width=76)
    return filled

"""The tagging check: tags that say what a practice is about, or a finding that says why not.

Run by `practices check-tags` on the live collection and by the tests on the seed. It flags:
- a tag value carried by more than 60% of the practices (a filter that narrows nothing). Pillars
  are left to the next rule: each practice carries one to three of only four, so a pillar on
  more than 60% is expected;
- a practice tagged with every pillar;
- a form of exploitation its text never names, in any of the six UN languages (the labels of
  the thesaurus concept that names the form and of its narrower concepts);
- a regional practice without a scope area, and a national one without countries.
"""

from collections import Counter
from dataclasses import dataclass

from repository.vocabularies import PILLARS
from search.thesaurus import default as thesaurus

SHARE_LIMIT = 0.60
COUNTED = ("actor_types", "exploitation_forms", "target_groups", "instruments", "practice_type")
TEXT_FIELDS = ("title", "summary", "description", "results", "lessons_learned")


@dataclass(frozen=True)
class Finding:
    rule: str
    practice: str  # "id: title", or "" for a finding about the whole collection
    detail: str

    def __str__(self) -> str:
        where = f"{self.practice}: " if self.practice else ""
        return f"[{self.rule}] {where}{self.detail}"


def _name(record: dict) -> str:
    title = record.get("title", "")[:80]
    return f"{record['id']}: {title}" if record.get("id") else title


def _text(record: dict) -> str:
    parts = [record.get(field) or "" for field in TEXT_FIELDS]
    for translation in (record.get("translations") or {}).values():
        parts += [translation.get("title", ""), translation.get("summary", "")]
    return "\n".join(parts)


def check(records: list[dict]) -> list[Finding]:
    findings: list[Finding] = []
    total = len(records)
    counts: Counter = Counter()
    for record in records:
        for field in COUNTED:
            value = record.get(field)
            for v in value if isinstance(value, list) else [value]:
                if v:
                    counts[(field, v)] += 1
    for (field, value), count in sorted(counts.items()):
        if total and count / total > SHARE_LIMIT:
            findings.append(
                Finding(
                    "too-common",
                    "",
                    f"{field} {value!r} is on {count} of {total} practices "
                    f"({count / total:.0%}): as a filter it narrows nothing",
                )
            )
    words = thesaurus()
    for record in records:
        if set(record.get("pillars") or []) >= set(PILLARS.values):
            findings.append(Finding("every-pillar", _name(record), "tagged with all four pillars"))
        text = _text(record)
        for form in record.get("exploitation_forms") or []:
            if not words.mentions(text, "exploitation_forms", form):
                findings.append(
                    Finding("unmentioned-form", _name(record), f"{form}: its text never names it")
                )
        scope = record.get("scope")
        if scope == "regional" and not record.get("scope_area"):
            findings.append(Finding("no-scope", _name(record), "regional without a scope area"))
        if scope == "national" and not record.get("countries"):
            findings.append(Finding("no-scope", _name(record), "national without countries"))
    return findings

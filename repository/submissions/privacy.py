"""Warnings about what looks like personal data in free text, shown before submission.

Entries describe programmes, never people. These patterns are deliberately broad: a warning
asks the partner to look again; it never blocks (the partner confirms instead).
"""

import re
from dataclasses import dataclass

FREE_TEXT_FIELDS = ("title", "summary", "description", "results", "lessons_learned")

PATTERNS = {
    "e-mail address": re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    "phone number": re.compile(r"(?<![\w/])\+?\d[\d\s().-]{7,}\d(?![\w/])"),
    "personal name": re.compile(
        r"\b(?:Mr|Mrs|Ms|Miss|Dr|Mme|Sr|Sra)\.?\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"
        r"|\b(?:named|called|victim)\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?"
    ),
    "age next to a place": re.compile(
        r"\b\d{1,2}[- ]years?[- ]old\b[^.]{0,40}\b(?:from|in|at|of)\s+[A-Z][a-z]+"
        r"|\baged?\s+\d{1,2}\b[^.]{0,40}\b(?:from|in|at|of)\s+[A-Z][a-z]+",
        re.IGNORECASE,
    ),
}
# A year or a range of years is not a phone number.
_YEARS = re.compile(r"^(?:19|20)\d\d(?:\s*[-–]\s*(?:19|20)?\d\d)?$")


@dataclass(frozen=True)
class PrivacyWarning:
    field: str
    kind: str
    excerpt: str


def scan(record: dict) -> list[PrivacyWarning]:
    warnings = []
    for field in FREE_TEXT_FIELDS:
        text = record.get(field) or ""
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(text):
                found = match.group(0).strip()
                if kind == "phone number" and (
                    _YEARS.match(found) or sum(c.isdigit() for c in found) < 8
                ):
                    continue
                warnings.append(PrivacyWarning(field, kind, found[:80]))
    return warnings

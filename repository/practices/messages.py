"""What a validation error means to a person: the field's label and what to do.

The validator (practices.validation) names errors for the JSON Lines format, where a machine
reason is right: ("practice_type", "unknown value ''; expected one of: law, ..."). A partner
filling in the form, or reading the API's answer, needs "Practice type: choose the kind of
practice it is." This module turns the first into the second, in one place for the form, the
submit check and the API.
"""

import re

from repository.i18n import _
from repository.practices.validation import SUMMARY_MAX_WORDS

LABELS = {
    "title": "Title",
    "summary": "Summary",
    "description": "Description",
    "results": "Results",
    "lessons_learned": "Lessons learned",
    "organisation": "Lead organisation",
    "partner_organisations": "Partner organisations",
    "actor_types": "Actor types",
    "countries": "Countries",
    "scope": "Where it applies",
    "scope_area": "Region or organisation of states",
    "pillars": "P-pillars",
    "exploitation_forms": "Forms of exploitation",
    "target_groups": "Target groups",
    "instruments": "Instruments referred to",
    "practice_type": "Practice type",
    "evidence": "Evidence",
    "start_year": "Start year",
    "end_year": "End year",
    "language": "Language of this entry",
    "translations": "Translations",
    "sources": "Sources",
    "status": "Status",
    "last_verified": "Last verified",
    "id": "Identifier",
    "(line)": "The record",
}

# What to do when a field is missing, by field.
REQUIRED = {
    "title": "Give the programme's own name.",
    "summary": f"Write a summary of at most {SUMMARY_MAX_WORDS} words.",
    "organisation": "Name the organisation that leads the practice.",
    "actor_types": "Tick at least one actor type.",
    "pillars": "Tick at least one P-pillar.",
    "practice_type": "Choose the kind of practice it is.",
    "evidence": "Choose how the practice has been evaluated.",
    "start_year": "Give the year it started, such as 2009.",
    "scope": "Choose national, regional or global.",
    "scope_area": "Choose the region or organisation of states for a regional practice.",
    "countries": "Choose at least one country, or choose Regional or Global under "
    "“Where it applies”.",
}
CHOOSE = {
    "practice_type": "Choose one of the practice types listed.",
    "evidence": "Choose one of the kinds of evidence listed.",
    "actor_types": "Tick actor types from the list.",
    "pillars": "Tick P-pillars from the list.",
    "exploitation_forms": "Tick forms of exploitation from the list.",
    "target_groups": "Tick target groups from the list.",
    "instruments": "Tick instruments from the list.",
    "status": "Use one of the statuses of the format.",
}
_SOURCE = re.compile(r"^sources\[(\d+)\](?:\.(\w+))?$")
_TRANSLATION = re.compile(r"^translations\.([^.]+)(?:\.(\w+))?$")
_NUMBERS = re.compile(r"\d[\d,]*")
SOURCE_PARTS = {"title": "title", "url": "address", "publisher": "publisher", "year": "year"}


def label(field: str) -> str:
    """The field's name as the form shows it: "Source 2, address" for "sources[2].url"."""
    if match := _SOURCE.match(field):
        part = SOURCE_PARTS.get(match.group(2) or "", "")
        name = _("Source %(n)s") % {"n": match.group(1)}
        return f"{name}, {_(part)}" if part else name
    if match := _TRANSLATION.match(field):
        from repository.vocabularies import LANGUAGES

        language = LANGUAGES.label_of(match.group(1))
        name = _("Translation into %(language)s") % {"language": _(language)}
        part = {"title": _("title"), "summary": _("summary")}.get(match.group(2) or "")
        return f"{name}, {part}" if part else name
    return _(LABELS.get(field, field.replace("_", " ").capitalize()))


def advice(field: str, reason: str) -> str:
    """What to do about one error, in words a partner understands."""
    numbers = _NUMBERS.findall(reason)
    base = field.split("[")[0].split(".")[0]
    if reason.startswith(("is required", "must not be empty", "needs at least")):
        if field == "countries" and "national" in reason:
            return _(REQUIRED["countries"])
        return _(REQUIRED.get(base, "Fill this in."))
    if reason.startswith(("unknown value", "must be one of")):
        if "''" in reason or "(got '')" in reason:
            return _(REQUIRED.get(base, "Choose one of the options."))
        if base == "language":
            return _("Choose the language the entry is written in from the list.")
        if base == "scope":
            return _(REQUIRED["scope"])
        return _(CHOOSE.get(base, "Choose from the list."))
    if reason.startswith("unknown ISO 3166"):
        return _("Choose the countries from the list.")
    if reason.startswith("unknown area"):
        return _("Choose a region or organisation of states from the list.")
    if reason.startswith("must be at most") and "words" in reason:
        return _("Shorten it to at most %(max)s words; it has %(n)s.") % {
            "max": numbers[0],
            "n": numbers[1] if len(numbers) > 1 else "more",
        }
    if reason.startswith("must be at most") and "characters" in reason:
        return _("Shorten it to at most %(max)s characters; it has %(n)s.") % {
            "max": numbers[0],
            "n": numbers[1] if len(numbers) > 1 else "more",
        }
    if reason.startswith("must not contain control characters"):
        return _(
            "Remove the invisible control characters (often copied in from another "
            "document): retype the text around them."
        )
    if reason.startswith("must be a whole number"):
        return _("Give a year in four digits, such as 2009.")
    if reason.startswith("must be between"):
        return _("Give a year from %(first)s to %(last)s.") % {
            "first": numbers[0],
            "last": numbers[1],
        }
    if reason.startswith("must not be before start_year"):
        return _("The end year is before the start year: correct one of them.")
    if reason.startswith("must be empty for a global practice"):
        return _(
            "A global practice has no countries: remove them, or choose National or Regional "
            "under “Where it applies”."
        )
    if reason.startswith("is required for a regional practice"):
        return _(REQUIRED["scope_area"])
    if reason.startswith("is only for regional practices"):
        return _(
            "Only a regional practice names a region: clear it, or choose Regional under "
            "“Where it applies”."
        )
    if reason.startswith("must be an http or https address"):
        return _("Give a web address starting with http:// or https://.")
    if reason.startswith("must be a non-empty string") and base == "sources":
        return _("Give the title of the source, or clear the whole row.")
    if reason.startswith("must be a year from"):
        return _("Give a year from %(first)s to %(last)s, or leave it empty.") % {
            "first": numbers[0],
            "last": numbers[1],
        }
    if reason.startswith("names must be 1 to 300 characters"):
        return _("Give one organisation per line, each at most 300 characters, at most 50.")
    if reason.startswith("is the practice's own language"):
        return _("A translation must be into another language than the entry's own.")
    if reason.startswith("must be a date"):
        return _("Give a date as year-month-day, such as 2024-05-31.")
    if reason.startswith("at most") and base == "sources":
        return _("Give at most %(max)s sources.") % {"max": numbers[0]}
    if reason.startswith(("must be a string", "must be a list", "must be an object")):
        return _("This has the wrong form: %(reason)s.") % {"reason": reason}
    if reason.startswith("unknown field"):
        return _("This field is not part of a practice record: remove it.")
    return _("%(reason)s.") % {"reason": reason[:1].upper() + reason[1:]}


def human(field: str, reason: str) -> str:
    """ "Practice type: choose the kind of practice it is." """
    return f"{label(field)}: {advice(field, reason)}"

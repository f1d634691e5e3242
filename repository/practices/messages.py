"""What a validation error means to a person: the field's label and what to do.

The validator (practices.validation) names errors for the JSON Lines format, where a machine
reason is right: ("practice_type", "unknown value ''; expected one of: law, ..."). A partner
filling in the form, or reading the API's answer, needs "Practice type: choose the kind of
practice it is." This module turns the first into the second, in one place for the form, the
submit check and the API.
"""

import re

from repository.i18n import N_, _
from repository.practices.validation import SUMMARY_MAX_WORDS

LABELS = {
    "title": N_("Title"),
    "summary": N_("Summary"),
    "description": N_("Description"),
    "results": N_("Results"),
    "lessons_learned": N_("Lessons learned"),
    "organisation": N_("Lead organisation"),
    "partner_organisations": N_("Partner organisations"),
    "actor_types": N_("Actor types"),
    "countries": N_("Countries"),
    "scope": N_("Where it applies"),
    "scope_area": N_("Region or organisation of states"),
    "pillars": N_("P-pillars"),
    "exploitation_forms": N_("Forms of exploitation"),
    "target_groups": N_("Target groups"),
    "instruments": N_("Instruments referred to"),
    "practice_type": N_("Practice type"),
    "evidence": N_("Evidence"),
    "start_year": N_("Start year"),
    "end_year": N_("End year"),
    "language": N_("Language of this entry"),
    "translations": N_("Translations"),
    "sources": N_("Sources"),
    "status": N_("Status"),
    "last_verified": N_("Last verified"),
    "id": N_("Identifier"),
    "(line)": N_("The record"),
}

# What to do when a field is missing, by field.
REQUIRED = {
    "title": N_("Give the programme's own name."),
    "summary": N_("Write a summary of at most %(max)d words."),
    "organisation": N_("Name the organisation that leads the practice."),
    "actor_types": N_("Tick at least one actor type."),
    "pillars": N_("Tick at least one P-pillar."),
    "practice_type": N_("Choose the kind of practice it is."),
    "evidence": N_("Choose how the practice has been evaluated."),
    "start_year": N_("Give the year it started, such as 2009."),
    "scope": N_("Choose national, regional or global."),
    "scope_area": N_("Choose the region or organisation of states for a regional practice."),
    "countries": N_(
        "Choose at least one country, or choose Regional or Global under “Where it applies”."
    ),
}
CHOOSE = {
    "practice_type": N_("Choose one of the practice types listed."),
    "evidence": N_("Choose one of the kinds of evidence listed."),
    "actor_types": N_("Tick actor types from the list."),
    "pillars": N_("Tick P-pillars from the list."),
    "exploitation_forms": N_("Tick forms of exploitation from the list."),
    "target_groups": N_("Tick target groups from the list."),
    "instruments": N_("Tick instruments from the list."),
    "status": N_("Use one of the statuses of the format."),
}
_SOURCE = re.compile(r"^sources\[(\d+)\](?:\.(\w+))?$")
_TRANSLATION = re.compile(r"^translations\.([^.]+)(?:\.(\w+))?$")
_NUMBERS = re.compile(r"\d[\d,]*")
SOURCE_PARTS = {
    "title": N_("Source %(n)s, title"),
    "url": N_("Source %(n)s, address"),
    "publisher": N_("Source %(n)s, publisher"),
    "year": N_("Source %(n)s, year"),
}
TRANSLATION_PARTS = {
    "title": N_("Translation into %(language)s, title"),
    "summary": N_("Translation into %(language)s, summary"),
}


def label(field: str) -> str:
    """The field's name as the form shows it: "Source 2, address" for "sources[2].url"."""
    if match := _SOURCE.match(field):
        part = SOURCE_PARTS.get(match.group(2) or "", N_("Source %(n)s"))
        return _(part) % {"n": match.group(1)}
    if match := _TRANSLATION.match(field):
        from repository.vocabularies import LANGUAGES

        language = _(LANGUAGES.label_of(match.group(1)))
        part = TRANSLATION_PARTS.get(match.group(2) or "", N_("Translation into %(language)s"))
        return _(part) % {"language": language}
    return _(LABELS.get(field, field.replace("_", " ").capitalize()))


def advice(field: str, reason: str) -> str:
    """What to do about one error, in words a partner understands."""
    numbers = _NUMBERS.findall(reason)
    base = field.split("[")[0].split(".")[0]
    if reason.startswith(("is required", "must not be empty", "needs at least")):
        if field == "countries" and "national" in reason:
            return _(REQUIRED["countries"])
        return _(REQUIRED.get(base, N_("Fill this in."))) % {"max": SUMMARY_MAX_WORDS}
    if reason.startswith(("unknown value", "must be one of")):
        if "''" in reason or "(got '')" in reason:
            return _(REQUIRED.get(base, N_("Choose one of the options."))) % {
                "max": SUMMARY_MAX_WORDS
            }
        if base == "language":
            return _("Choose the language the entry is written in from the list.")
        if base == "scope":
            return _(REQUIRED["scope"])
        return _(CHOOSE.get(base, N_("Choose from the list.")))
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
    return _("%(field)s: %(advice)s") % {"field": label(field), "advice": advice(field, reason)}

"""The guided submission form (WTForms): parses what the partner typed, keeps it for redisplay,
and turns it into a record that the one validator (practices.validation) checks."""

from wtforms import (
    FieldList,
    Form,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms import validators as v
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from repository import geography, scopes
from repository.i18n import N_, current_locale, gettext
from repository.practices import messages
from repository.practices.validation import SUMMARY_MAX_WORDS
from repository.vocabularies import (
    ACTOR_TYPES,
    EVIDENCE,
    EXPLOITATION_FORMS,
    INSTRUMENTS,
    LANGUAGES,
    PILLARS,
    PRACTICE_TYPES,
    TARGET_GROUPS,
)

SOURCE_ROWS = 5


def options(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class TranslatedForm(Form):
    """Labels, hints and choices are written as message ids and shown in the reader's language;
    WTForms' own messages ("Not a valid integer value.") come from its catalogues."""

    class Meta:
        def get_translations(self, form):
            from wtforms.i18n import get_translations

            return get_translations([current_locale()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self:
            field.label.text = gettext(field.label.text)
            if field.description:
                field.description = gettext(field.description) % HINT_VALUES
            if field.name == "countries":
                language = current_locale()
                field.choices = [
                    SelectChoice(c.code, geography.country_name(c.code, language))
                    for c in geography.sorted_for(language)
                ]
            elif getattr(field, "choices", None):
                field.choices = [
                    SelectChoice(c.value, gettext(c.label) if c.label != "—" else c.label)
                    for c in field.choices
                ]


HINT_VALUES = {"words": SUMMARY_MAX_WORDS}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def pre_validate(self, form):
        pass  # the record validator names unknown values precisely


class SourceForm(TranslatedForm):
    # The template adds "of source N" to each label for screen readers: five rows of the same
    # four labels could not be told apart.
    title = StringField(N_("Title"), [v.Optional(), v.Length(max=300)])
    publisher = StringField(
        N_("Publisher"), [v.Optional(), v.Length(max=300)], description=N_("Example: “ILO”.")
    )
    year = IntegerField(N_("Year"), [v.Optional()])
    url = StringField(N_("Address (http or https)"), [v.Optional(), v.Length(max=2000)])


def _year(field_label: str, description: str) -> IntegerField:
    return IntegerField(field_label, [v.Optional()], description=description)


class PracticeForm(TranslatedForm):
    title = StringField(
        N_("Title"),
        description=N_("The programme's own name. Example: “National Referral Mechanism”."),
    )
    summary = TextAreaField(
        N_("Summary"),
        description=N_(
            "At most %(words)d words a delegate could read aloud. Example: “A framework, in "
            "force since 2009, that identifies presumed victims and refers them to support.”"
        ),
    )
    description = TextAreaField(
        N_("Description"),
        # Translators: **bold** is Markdown syntax; keep the asterisks.
        description=N_("What it is, who runs it, how it works. Markdown: **bold**, lists, links."),
    )
    results = TextAreaField(
        N_("Results"), description=N_("What it achieved, with figures where known.")
    )
    lessons_learned = TextAreaField(
        N_("Lessons learned"), description=N_("What others should know before doing the same.")
    )
    organisation = StringField(
        N_("Lead organisation"), description=N_("Example: “Ministry of Labour of Brazil”.")
    )
    partner_organisations = TextAreaField(
        N_("Partner organisations"), description=N_("One per line.")
    )
    actor_types = CheckboxesField(
        N_("Actor types"),
        choices=options(ACTOR_TYPES.terms),
        description=N_("The lead organisation's type first; tick all that take part."),
    )
    # No default: "global" (or any scope) only when the partner chooses it.
    scope = RadioField(
        N_("Where it applies"),
        choices=options(scopes.SCOPES),
        validate_choice=False,
        description=N_(
            "National: choose its countries. Regional: choose the region or organisation of "
            "states. Global: not tied to particular countries or regions."
        ),
    )
    scope_area = SelectField(
        N_("Region or organisation of states (for a regional practice)"),
        choices=[SelectChoice("", "—")]
        + [SelectChoice(key, area.name) for key, area in scopes.AREAS.items()],
        validate_choice=False,
    )
    # Check boxes, not a multiple select: a keyboard or a filter never drops earlier choices.
    countries = CheckboxesField(
        N_("Countries"),
        choices=[SelectChoice(c.code, c.name) for c in geography.countries().values()],
        description=N_(
            "Where it operates: required for a national practice, optional for a regional one. "
            "Tick every country."
        ),
    )
    pillars = CheckboxesField(N_("P-pillars"), choices=options(PILLARS.terms))
    exploitation_forms = CheckboxesField(
        N_("Forms of exploitation"), choices=options(EXPLOITATION_FORMS.terms)
    )
    target_groups = CheckboxesField(N_("Target groups"), choices=options(TARGET_GROUPS.terms))
    instruments = CheckboxesField(N_("Instruments referred to"), choices=options(INSTRUMENTS.terms))
    practice_type = RadioField(
        N_("Practice type"), choices=options(PRACTICE_TYPES.terms), validate_choice=False
    )
    evidence = RadioField(
        N_("Evidence"),
        choices=options(EVIDENCE.terms),
        validate_choice=False,
        description=N_("Independently evaluated only with an outside evaluation you can cite."),
    )
    start_year = _year(N_("Start year"), N_("Example: 2009."))
    end_year = _year(N_("End year"), N_("Leave empty while the practice is ongoing."))
    language = SelectField(
        N_("Language of this entry"),
        choices=options(LANGUAGES.terms),
        default="en",
        validate_choice=False,
    )
    sources = FieldList(FormField(SourceForm), min_entries=SOURCE_ROWS, max_entries=20)

    @classmethod
    def from_record(cls, record: dict) -> "PracticeForm":
        data = dict(record)
        data["partner_organisations"] = "\n".join(record.get("partner_organisations", []))
        data["scope"] = record.get("scope") or ""
        data["scope_area"] = record.get("scope_area") or ""
        sources = list(record.get("sources", []))
        empty = {"title": "", "publisher": "", "year": None, "url": ""}
        data["sources"] = sources + [empty] * max(0, SOURCE_ROWS - len(sources))
        return cls(data=data)

    def to_record(self) -> dict:
        """The record as typed; the validator decides what is wrong with it."""
        sources = [
            {
                "title": (entry.form.title.data or "").strip(),
                "publisher": (entry.form.publisher.data or "").strip(),
                "year": entry.form.year.data,
                "url": (entry.form.url.data or "").strip(),
            }
            for entry in self.sources
        ]
        scope = self.scope.data or ""  # not chosen: asked for when submitting
        countries = [] if scope == "global" else list(self.countries.data or [])
        return {
            "title": self.title.data or "",
            "summary": self.summary.data or "",
            "description": self.description.data or "",
            "results": self.results.data or "",
            "lessons_learned": self.lessons_learned.data or "",
            "organisation": self.organisation.data or "",
            "partner_organisations": [
                line.strip()
                for line in (self.partner_organisations.data or "").splitlines()
                if line.strip()
            ],
            "actor_types": list(self.actor_types.data or []),
            "countries": countries,
            "scope": scope,
            "scope_area": (self.scope_area.data or None) if scope == "regional" else None,
            "pillars": list(self.pillars.data or []),
            "exploitation_forms": list(self.exploitation_forms.data or []),
            "target_groups": list(self.target_groups.data or []),
            "instruments": list(self.instruments.data or []),
            "practice_type": self.practice_type.data,
            "evidence": self.evidence.data,
            "start_year": self.start_year.data,
            "end_year": self.end_year.data,
            "language": self.language.data or "en",
            "sources": [s for s in sources if s["title"] or s["url"] or s["publisher"]],
        }

    def typing_errors(self) -> list[tuple[str, str]]:
        """Years that are not numbers ("20O9"): the record would silently lose them, so they
        are errors as the validator names them, and the page shows what was typed."""
        errors = []
        for name in ("start_year", "end_year"):
            field = self[name]
            if field.data is None and field.raw_data and field.raw_data[0].strip():
                errors.append((name, "must be a whole number (a year)"))
        for position, entry in enumerate(self.sources.entries, start=1):
            year = entry.form.year
            if year.data is None and year.raw_data and year.raw_data[0].strip():
                errors.append((f"sources[{position}].year", "must be a year from 1800, or null"))
        return errors

    def attach_errors(self, errors: list[tuple[str, str]]) -> list[tuple[str, str, str]]:
        """Put the validator's errors next to their fields, in words a partner understands;
        return (field id, label, what to do) for the summary at the top."""
        summary = []
        for field_name, reason in errors:
            target = self.field_for(field_name)
            text = messages.advice(field_name, reason)
            if target is not None:
                target.errors = [*list(target.errors or []), text]
            summary.append(
                (target.id if target is not None else "", messages.label(field_name), text)
            )
        return summary

    def field_for(self, name: str):
        """The form field a record field's error belongs to (None when the form has none)."""
        if name.startswith("sources["):
            index = int(name[8 : name.index("]")]) - 1
            part = name.rsplit(".", 1)[-1] if "." in name else "title"
            part = part if part in ("title", "publisher", "year", "url") else "title"
            if index < len(self.sources.entries):
                return self.sources.entries[index].form[part]
            return None
        return self._fields.get(name)

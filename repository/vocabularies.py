"""Controlled vocabularies: the one place that names every facet value.

Each vocabulary is an ordered tuple of (machine value, human label). The machine values are stable:
they are stored in the database, written in the JSON Lines format and used in URLs, so renaming one
needs a migration. Labels go through gettext when they are shown.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Vocabulary:
    name: str
    label: str
    terms: tuple[tuple[str, str], ...]
    multi: bool = True

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.terms)

    def label_of(self, value: str) -> str:
        return dict(self.terms).get(value, value)

    def order_of(self, value: str) -> int:
        return self.values.index(value)

    def sort(self, values) -> list[str]:
        """Distinct values in display order."""
        return sorted(set(values), key=self.order_of)

    def __contains__(self, value: object) -> bool:
        return value in self.values


PILLARS = Vocabulary(
    "pillars",
    "P-pillar",
    (
        ("prevention", "Prevention"),
        ("protection", "Protection"),
        ("prosecution", "Prosecution"),
        ("partnership", "Partnership"),
    ),
)

# The first four are the ones the repository must always show first.
ACTOR_TYPES = Vocabulary(
    "actor_types",
    "Actor type",
    (
        ("government", "Government"),
        ("private_sector", "Private sector"),
        ("ngo", "NGO / civil society"),
        ("media", "Media"),
        ("un_entity", "UN entity"),
        ("intergovernmental", "Other intergovernmental or regional organisation"),
        ("trade_union", "Trade union"),
        ("employers_organisation", "Employers' organisation"),
        ("academia", "Academia / research"),
        ("multi_stakeholder", "Multi-stakeholder partnership"),
    ),
)

EXPLOITATION_FORMS = Vocabulary(
    "exploitation_forms",
    "Form of exploitation",
    (
        ("sexual_exploitation", "Sexual exploitation"),
        ("forced_labour", "Forced labour or services"),
        ("slavery", "Slavery and similar practices"),
        ("servitude", "Servitude"),
        ("organ_removal", "Removal of organs"),
        ("forced_criminality", "Forced criminality"),
        ("forced_begging", "Forced begging"),
        ("forced_marriage", "Forced or servile marriage"),
        ("child_soldiering", "Child soldiering"),
        ("other", "Other or mixed"),
    ),
)

TARGET_GROUPS = Vocabulary(
    "target_groups",
    "Target group",
    (
        ("women", "Women"),
        ("girls", "Girls"),
        ("boys", "Boys"),
        ("men", "Men"),
        ("children", "Children"),
        ("migrant_workers", "Migrant workers"),
        ("refugees_idps", "Refugees, asylum-seekers and internally displaced"),
        ("persons_with_disabilities", "Persons with disabilities"),
        ("minorities_indigenous", "Minorities and indigenous peoples"),
        ("survivors", "Survivors as participants"),
        ("general_public", "General public"),
        (
            "professionals",
            "Professionals (police, prosecutors, judges, inspectors, social workers)",
        ),
        ("businesses", "Businesses and supply chains"),
        ("consumers", "Consumers"),
    ),
)

PRACTICE_TYPES = Vocabulary(
    "practice_type",
    "Practice type",
    (
        ("law", "Law or regulation"),
        ("policy", "Policy or action plan"),
        ("institutional_mechanism", "Institutional mechanism"),
        ("awareness_campaign", "Awareness campaign"),
        ("education", "Education"),
        ("victim_services", "Victim service"),
        ("training", "Training and capacity building"),
        ("partnership_code", "Partnership or code of conduct"),
        ("research_data", "Research and data"),
        ("monitoring_evaluation", "Monitoring and evaluation"),
    ),
    multi=False,
)

EVIDENCE = Vocabulary(
    "evidence",
    "Evidence",
    (
        ("not_evaluated", "Not evaluated"),
        ("self_assessed", "Self-assessed"),
        ("independently_evaluated", "Independently evaluated"),
    ),
    multi=False,
)

INSTRUMENTS = Vocabulary(
    "instruments",
    "Instruments referred to",
    (
        ("palermo_protocol", "UN Trafficking in Persons Protocol (2000)"),
        ("ilo_c29", "ILO Forced Labour Convention, 1930 (No. 29)"),
        ("ilo_c97", "ILO Migration for Employment Convention, 1949 (No. 97)"),
        ("ilo_c105", "ILO Abolition of Forced Labour Convention, 1957 (No. 105)"),
        ("ilo_c143", "ILO Migrant Workers Convention, 1975 (No. 143)"),
        ("ilo_c181", "ILO Private Employment Agencies Convention, 1997 (No. 181)"),
        ("ilo_c182", "ILO Worst Forms of Child Labour Convention, 1999 (No. 182)"),
        ("ilo_p029", "ILO Protocol of 2014 to the Forced Labour Convention"),
        ("crc_opsc", "Optional Protocol to the CRC on the sale of children"),
        ("coe_convention", "Council of Europe Convention on Action against Trafficking"),
        ("eu_directive_2011_36", "EU Anti-Trafficking Directive 2011/36/EU"),
        ("athens_principles", "Athens Ethical Principles"),
    ),
)

# The languages an entry may be written in: the six UN languages first, then others partners use.
LANGUAGES = Vocabulary(
    "language",
    "Language",
    (
        ("ar", "Arabic"),
        ("zh", "Chinese"),
        ("en", "English"),
        ("fr", "French"),
        ("ru", "Russian"),
        ("es", "Spanish"),
        ("pt", "Portuguese"),
        ("de", "German"),
        ("it", "Italian"),
        ("nl", "Dutch"),
        ("ja", "Japanese"),
        ("th", "Thai"),
        ("id", "Indonesian"),
    ),
    multi=False,
)
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")

STATUSES = Vocabulary(
    "status",
    "Status",
    (
        ("draft", "Draft"),
        ("submitted", "Submitted"),
        ("changes_requested", "Changes requested"),
        ("published", "Published"),
        ("rejected", "Rejected"),
        ("archived", "Archived"),
    ),
    multi=False,
)

ROLES = Vocabulary(
    "role",
    "Role",
    (("partner", "Partner"), ("curator", "Curator"), ("admin", "Administrator")),
    multi=False,
)

# Multi-valued tags stored in the practice_tag table, by their JSON Lines field name.
TAG_VOCABULARIES = {
    v.name: v for v in (PILLARS, ACTOR_TYPES, EXPLOITATION_FORMS, TARGET_GROUPS, INSTRUMENTS)
}

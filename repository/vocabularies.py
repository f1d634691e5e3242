"""Controlled vocabularies: the one place that names every facet value.

Each vocabulary is an ordered tuple of (machine value, human label). The machine values are stable:
they are stored in the database, written in the JSON Lines format and used in URLs, so renaming one
needs a migration. Labels go through gettext when they are shown.
"""

from dataclasses import dataclass

from repository.i18n import N_


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
    N_("P-pillar"),
    (
        ("prevention", N_("Prevention")),
        ("protection", N_("Protection")),
        ("prosecution", N_("Prosecution")),
        ("partnership", N_("Partnership")),
    ),
)

# The first four are the ones the repository must always show first.
ACTOR_TYPES = Vocabulary(
    "actor_types",
    N_("Actor type"),
    (
        ("government", N_("Government")),
        ("private_sector", N_("Private sector")),
        ("ngo", N_("NGO / civil society")),
        ("media", N_("Media")),
        ("un_entity", N_("UN entity")),
        ("intergovernmental", N_("Other intergovernmental or regional organisation")),
        ("trade_union", N_("Trade union")),
        ("employers_organisation", N_("Employers' organisation")),
        ("academia", N_("Academia / research")),
        ("multi_stakeholder", N_("Multi-stakeholder partnership")),
    ),
)

EXPLOITATION_FORMS = Vocabulary(
    "exploitation_forms",
    N_("Form of exploitation"),
    (
        ("sexual_exploitation", N_("Sexual exploitation")),
        ("forced_labour", N_("Forced labour or services")),
        ("slavery", N_("Slavery and similar practices")),
        ("servitude", N_("Servitude")),
        ("organ_removal", N_("Removal of organs")),
        ("forced_criminality", N_("Forced criminality")),
        ("forced_begging", N_("Forced begging")),
        ("forced_marriage", N_("Forced or servile marriage")),
        ("child_soldiering", N_("Child soldiering")),
        ("other", N_("Other or mixed")),
    ),
)

TARGET_GROUPS = Vocabulary(
    "target_groups",
    N_("Target group"),
    (
        ("women", N_("Women")),
        ("girls", N_("Girls")),
        ("boys", N_("Boys")),
        ("men", N_("Men")),
        ("children", N_("Children")),
        ("migrant_workers", N_("Migrant workers")),
        ("refugees_idps", N_("Refugees, asylum-seekers and internally displaced")),
        ("persons_with_disabilities", N_("Persons with disabilities")),
        ("minorities_indigenous", N_("Minorities and indigenous peoples")),
        ("survivors", N_("Survivors as participants")),
        ("general_public", N_("General public")),
        (
            "professionals",
            N_("Professionals (police, prosecutors, judges, inspectors, social workers)"),
        ),
        ("businesses", N_("Businesses and supply chains")),
        ("consumers", N_("Consumers")),
    ),
)

PRACTICE_TYPES = Vocabulary(
    "practice_type",
    N_("Practice type"),
    (
        ("law", N_("Law or regulation")),
        ("policy", N_("Policy or action plan")),
        ("institutional_mechanism", N_("Institutional mechanism")),
        ("awareness_campaign", N_("Awareness campaign")),
        ("education", N_("Education")),
        ("victim_services", N_("Victim service")),
        ("training", N_("Training and capacity building")),
        ("partnership_code", N_("Partnership or code of conduct")),
        ("research_data", N_("Research and data")),
        ("monitoring_evaluation", N_("Monitoring and evaluation")),
    ),
    multi=False,
)

EVIDENCE = Vocabulary(
    "evidence",
    N_("Evidence"),
    (
        ("not_evaluated", N_("Not evaluated")),
        ("self_assessed", N_("Self-assessed")),
        ("independently_evaluated", N_("Independently evaluated")),
    ),
    multi=False,
)

INSTRUMENTS = Vocabulary(
    "instruments",
    N_("Instruments referred to"),
    (
        ("palermo_protocol", N_("UN Trafficking in Persons Protocol (2000)")),
        ("ilo_c29", N_("ILO Forced Labour Convention, 1930 (No. 29)")),
        ("ilo_c97", N_("ILO Migration for Employment Convention, 1949 (No. 97)")),
        ("ilo_c105", N_("ILO Abolition of Forced Labour Convention, 1957 (No. 105)")),
        ("ilo_c143", N_("ILO Migrant Workers Convention, 1975 (No. 143)")),
        ("ilo_c181", N_("ILO Private Employment Agencies Convention, 1997 (No. 181)")),
        ("ilo_c182", N_("ILO Worst Forms of Child Labour Convention, 1999 (No. 182)")),
        ("ilo_p029", N_("ILO Protocol of 2014 to the Forced Labour Convention")),
        ("crc_opsc", N_("Optional Protocol to the CRC on the sale of children")),
        ("coe_convention", N_("Council of Europe Convention on Action against Trafficking")),
        ("eu_directive_2011_36", N_("EU Anti-Trafficking Directive 2011/36/EU")),
        ("athens_principles", N_("Athens Ethical Principles")),
    ),
)

# The languages an entry may be written in: the six UN languages first, then others partners use.
LANGUAGES = Vocabulary(
    "language",
    N_("Language"),
    (
        ("ar", N_("Arabic")),
        ("zh", N_("Chinese")),
        ("en", N_("English")),
        ("fr", N_("French")),
        ("ru", N_("Russian")),
        ("es", N_("Spanish")),
        ("pt", N_("Portuguese")),
        ("de", N_("German")),
        ("it", N_("Italian")),
        ("nl", N_("Dutch")),
        ("ja", N_("Japanese")),
        ("th", N_("Thai")),
        ("id", N_("Indonesian")),
    ),
    multi=False,
)
UN_LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")

STATUSES = Vocabulary(
    "status",
    N_("Status"),
    (
        ("draft", N_("Draft")),
        ("submitted", N_("Submitted")),
        ("changes_requested", N_("Changes requested")),
        ("published", N_("Published")),
        ("rejected", N_("Rejected")),
        ("archived", N_("Archived")),
    ),
    multi=False,
)

ROLES = Vocabulary(
    "role",
    N_("Role"),
    (("partner", N_("Partner")), ("curator", N_("Curator")), ("admin", N_("Administrator"))),
    multi=False,
)

# Multi-valued tags stored in the practice_tag table, by their JSON Lines field name.
TAG_VOCABULARIES = {
    v.name: v for v in (PILLARS, ACTOR_TYPES, EXPLOITATION_FORMS, TARGET_GROUPS, INSTRUMENTS)
}

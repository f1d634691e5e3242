"""Countries and the regions derived from them.

Names, ISO codes, UN membership and the M49 geoscheme come from the data file that the
country-converter package ships (read directly: its pandas loader is not needed and breaks on
newer pandas). UN regional groups are not published in any package, so the two groups that do not
follow M49 (Eastern European and WEOG) are listed here; the others follow from M49 and membership.
"""

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from repository.i18n import N_


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166 alpha-3
    name: str  # as the UN writes it in English (UNTERM short name; M49 name for areas)
    region: str  # M49 region machine value, e.g. "africa"
    subregion: str  # M49 sub-region machine value, e.g. "sub_saharan_africa"
    intermediate_region: str  # M49 intermediate region where one exists, else ""
    un_group: str  # UN regional group machine value, "" for none
    un_member: bool
    numeric: str = ""  # ISO 3166 numeric, zero-padded (as in world-atlas)
    # The UN's names in the six UN languages, as (language, name) pairs; areas that are not
    # states have their English M49 name only.
    names: tuple[tuple[str, str], ...] = ()
    status: str = "member"  # "member", "observer" (Holy See, State of Palestine) or "area"
    alpha2: str = ""  # ISO 3166 alpha-2, for CLDR's names where the UN gives none

    def name_in(self, language: str) -> str:
        return dict(self.names).get(language) or self.name


REGIONS = (
    ("africa", N_("Africa")),
    ("americas", N_("Americas")),
    ("asia", N_("Asia")),
    ("europe", N_("Europe")),
    ("oceania", N_("Oceania")),
)

SUBREGIONS = (
    ("northern_africa", N_("Northern Africa")),
    ("sub_saharan_africa", N_("Sub-Saharan Africa")),
    ("latin_america_caribbean", N_("Latin America and the Caribbean")),
    ("northern_america", N_("Northern America")),
    ("central_asia", N_("Central Asia")),
    ("eastern_asia", N_("Eastern Asia")),
    ("south_eastern_asia", N_("South-eastern Asia")),
    ("southern_asia", N_("Southern Asia")),
    ("western_asia", N_("Western Asia")),
    ("eastern_europe", N_("Eastern Europe")),
    ("northern_europe", N_("Northern Europe")),
    ("southern_europe", N_("Southern Europe")),
    ("western_europe", N_("Western Europe")),
    ("australia_new_zealand", N_("Australia and New Zealand")),
    ("melanesia", N_("Melanesia")),
    ("micronesia", N_("Micronesia")),
    ("polynesia", N_("Polynesia")),
)

UN_GROUPS = (
    ("african", N_("African Group")),
    ("asia_pacific", N_("Asia-Pacific Group")),
    ("eastern_european", N_("Eastern European Group")),
    ("grulac", N_("Latin American and Caribbean Group (GRULAC)")),
    ("weog", N_("Western European and Others Group (WEOG)")),
)

EASTERN_EUROPEAN_GROUP = frozenset(
    (
        "ALB ARM AZE BLR BIH BGR HRV CZE EST GEO HUN LVA LTU MNE MKD POL MDA ROU RUS SRB SVK "
        "SVN UKR"
    ).split()
)
# The United States attends WEOG as an observer and is counted there; Türkiye sits in WEOG and
# Asia-Pacific and is counted in WEOG.
WEOG = frozenset(
    (
        "AND AUS AUT BEL CAN DNK FIN FRA DEU GRC ISL IRL ISR ITA LIE LUX MLT MCO NLD NZL NOR PRT "
        "SMR ESP SWE CHE TUR GBR USA"
    ).split()
)
NO_GROUP = frozenset({"KIR"})  # Kiribati belongs to no regional group.
OBSERVER_GROUPS = {"PSE": "asia_pacific"}  # Palestine is a full member of the Asia-Pacific Group.

_CONTINENT_TO_REGION = {
    "Africa": "africa",
    "America": "americas",
    "Asia": "asia",
    "Europe": "europe",
    "Oceania": "oceania",
}
# country-converter's UNregion is the M49 intermediate region where one exists.
_INTERMEDIATE_TO_SUBREGION = {
    "Eastern Africa": "sub_saharan_africa",
    "Middle Africa": "sub_saharan_africa",
    "Southern Africa": "sub_saharan_africa",
    "Western Africa": "sub_saharan_africa",
    "Caribbean": "latin_america_caribbean",
    "Central America": "latin_america_caribbean",
    "South America": "latin_america_caribbean",
}
_SUBREGION_BY_LABEL = {label: value for value, label in SUBREGIONS}


def _un_group(code: str, region: str, subregion: str, member: bool) -> str:
    if code in NO_GROUP:
        return ""
    if code in OBSERVER_GROUPS:
        return OBSERVER_GROUPS[code]
    if code in EASTERN_EUROPEAN_GROUP:
        return "eastern_european"
    if code in WEOG:
        return "weog"
    if not member:
        return ""
    if region == "africa":
        return "african"
    if subregion == "latin_america_caribbean":
        return "grulac"
    if region in ("asia", "oceania"):
        return "asia_pacific"
    return ""


OBSERVER_STATES = {"VAT", "PSE"}
UN_LANGUAGES = ("en", "fr", "es", "ru", "zh", "ar")


def _un_names() -> dict[str, dict[str, str]]:
    """ISO alpha-3 -> {language: UN name} (see repository/data/README.md)."""
    source = resources.files("repository").joinpath("data/un_names.csv")
    names = {}
    with source.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["unterm"]:
                names[row["iso3"]] = {lang: row[lang] for lang in UN_LANGUAGES if row[lang]}
            else:
                names[row["iso3"]] = {"en": row["m49_en"] or row["en"]}
    return names


def _load() -> dict[str, Country]:
    source = resources.files("country_converter").joinpath("country_data.tsv")
    un_names = _un_names()
    countries = {}
    with source.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            region = _CONTINENT_TO_REGION.get(row["continent"])
            if region is None or row["obsolete"]:
                continue  # Antarctica and dissolved states
            intermediate = row["UNregion"]
            subregion = (
                _INTERMEDIATE_TO_SUBREGION.get(intermediate) or _SUBREGION_BY_LABEL[intermediate]
            )
            member = bool(row["UNmember"])
            names = un_names.get(row["ISO3"], {})
            countries[row["ISO3"]] = Country(
                code=row["ISO3"],
                name=names.get("en") or row["name_short"],
                names=tuple(sorted(names.items())),
                status="member"
                if member
                else ("observer" if row["ISO3"] in OBSERVER_STATES else "area"),
                region=region,
                subregion=subregion,
                intermediate_region=intermediate
                if intermediate in _INTERMEDIATE_TO_SUBREGION
                else "",
                un_group=_un_group(row["ISO3"], region, subregion, member),
                un_member=member,
                numeric=row["ISOnumeric"].zfill(3) if row["ISOnumeric"] else "",
                alpha2=row["ISO2"],
            )
    return countries


@cache
def countries() -> dict[str, Country]:
    """Every country and area by ISO alpha-3 code, in the order people read names in."""
    from repository.collation import sort_key

    return dict(sorted(_load().items(), key=lambda item: sort_key(item[1].name)))


@cache
def sorted_for(language: str) -> tuple[Country, ...]:
    """Every country and area in the order of its name in that language."""
    from repository.collation import sort_key

    return tuple(sorted(countries().values(), key=lambda c: sort_key(c.name_in(language))))


def country(code: str) -> Country | None:
    return countries().get(code)


@cache
def country_name(code: str, language: str) -> str:
    """A country's name in a language: the UN's (UNTERM), else CLDR's through Babel, else the
    English one; the code itself when it is unknown."""
    found = country(code)
    if found is None:
        return code
    un_name = dict(found.names).get(language)
    if un_name:
        return un_name
    if language != "en" and found.alpha2:
        from babel import Locale

        cldr = Locale.parse(language).territories.get(found.alpha2)
        if cldr:
            return cldr
    return found.name


@cache
def by_numeric() -> dict[str, Country]:
    return {c.numeric: c for c in countries().values() if c.numeric}


def region_label(value: str) -> str:
    return dict(REGIONS).get(value, value)


def subregion_label(value: str) -> str:
    return dict(SUBREGIONS).get(value, value)


def un_group_label(value: str) -> str:
    return dict(UN_GROUPS).get(value, value)

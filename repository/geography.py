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

    def name_in(self, language: str) -> str:
        return dict(self.names).get(language) or self.name


REGIONS = (
    ("africa", "Africa"),
    ("americas", "Americas"),
    ("asia", "Asia"),
    ("europe", "Europe"),
    ("oceania", "Oceania"),
)

SUBREGIONS = (
    ("northern_africa", "Northern Africa"),
    ("sub_saharan_africa", "Sub-Saharan Africa"),
    ("latin_america_caribbean", "Latin America and the Caribbean"),
    ("northern_america", "Northern America"),
    ("central_asia", "Central Asia"),
    ("eastern_asia", "Eastern Asia"),
    ("south_eastern_asia", "South-eastern Asia"),
    ("southern_asia", "Southern Asia"),
    ("western_asia", "Western Asia"),
    ("eastern_europe", "Eastern Europe"),
    ("northern_europe", "Northern Europe"),
    ("southern_europe", "Southern Europe"),
    ("western_europe", "Western Europe"),
    ("australia_new_zealand", "Australia and New Zealand"),
    ("melanesia", "Melanesia"),
    ("micronesia", "Micronesia"),
    ("polynesia", "Polynesia"),
)

UN_GROUPS = (
    ("african", "African Group"),
    ("asia_pacific", "Asia-Pacific Group"),
    ("eastern_european", "Eastern European Group"),
    ("grulac", "Latin American and Caribbean Group (GRULAC)"),
    ("weog", "Western European and Others Group (WEOG)"),
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
def by_numeric() -> dict[str, Country]:
    return {c.numeric: c for c in countries().values() if c.numeric}


def region_label(value: str) -> str:
    return dict(REGIONS).get(value, value)


def subregion_label(value: str) -> str:
    return dict(SUBREGIONS).get(value, value)


def un_group_label(value: str) -> str:
    return dict(UN_GROUPS).get(value, value)

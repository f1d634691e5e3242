"""Geographic scope: where a practice applies, as data.

A practice is national (its countries), regional (a regional organisation or group of states,
named by an area below) or global. Regions and UN regional groups come from the scope: a
regional practice counts where its area is, never through a member list (the EU's practices
once counted under the Asia-Pacific Group through Cyprus); a global practice counts under
"Global".
"""

from dataclasses import dataclass

from repository import geography
from repository.i18n import N_

SCOPES = (("national", N_("National")), ("regional", N_("Regional")), ("global", N_("Global")))
GLOBAL = "global"


@dataclass(frozen=True)
class Area:
    key: str
    name: str
    regions: tuple[str, ...]  # M49 regions
    un_groups: tuple[str, ...]
    subregions: tuple[str, ...] = ()


AREAS = {
    a.key: a
    for a in (
        Area("eu", N_("European Union"), ("europe",), ("weog", "eastern_european")),
        Area("coe", N_("Council of Europe"), ("europe",), ("weog", "eastern_european")),
        Area(
            "osce",
            N_("OSCE area"),
            ("europe", "asia", "americas"),
            ("weog", "eastern_european", "asia_pacific"),
        ),
        Area(
            "cis",
            N_("Commonwealth of Independent States"),
            ("europe", "asia"),
            ("eastern_european", "asia_pacific"),
            ("eastern_europe", "central_asia", "western_asia"),
        ),
        Area("au", N_("African Union"), ("africa",), ("african",)),
        Area(
            "ecowas", N_("West Africa (ECOWAS)"), ("africa",), ("african",), ("sub_saharan_africa",)
        ),
        Area(
            "sadc", N_("Southern Africa (SADC)"), ("africa",), ("african",), ("sub_saharan_africa",)
        ),
        Area("eac", N_("East Africa (EAC)"), ("africa",), ("african",), ("sub_saharan_africa",)),
        Area(
            "asean",
            N_("South-East Asia (ASEAN)"),
            ("asia",),
            ("asia_pacific",),
            ("south_eastern_asia",),
        ),
        Area(
            "gms",
            N_("Greater Mekong Subregion"),
            ("asia",),
            ("asia_pacific",),
            ("south_eastern_asia", "eastern_asia"),
        ),
        Area("saarc", N_("South Asia (SAARC)"), ("asia",), ("asia_pacific",), ("southern_asia",)),
        Area(
            "bali_process",
            N_("Asia and the Pacific (Bali Process)"),
            ("asia", "oceania"),
            ("asia_pacific", "weog"),
        ),
        Area(
            "pacific",
            N_("Pacific Islands"),
            ("oceania",),
            ("asia_pacific", "weog"),
            ("melanesia", "micronesia", "polynesia", "australia_new_zealand"),
        ),
        Area(
            "gcc", N_("Gulf Cooperation Council"), ("asia",), ("asia_pacific",), ("western_asia",)
        ),
        Area(
            "arab_states",
            N_("Arab States (League of Arab States)"),
            ("africa", "asia"),
            ("african", "asia_pacific"),
            ("northern_africa", "western_asia"),
        ),
        Area(
            "oas",
            N_("Americas (OAS)"),
            ("americas",),
            ("grulac", "weog"),
            ("latin_america_caribbean", "northern_america"),
        ),
        Area(
            "latin_america",
            N_("Latin America and the Caribbean"),
            ("americas",),
            ("grulac",),
            ("latin_america_caribbean",),
        ),
        Area(
            "central_america",
            N_("Central America and Mexico"),
            ("americas",),
            ("grulac",),
            ("latin_america_caribbean",),
        ),
        Area(
            "mercosur",
            N_("South America (Mercosur)"),
            ("americas",),
            ("grulac",),
            ("latin_america_caribbean",),
        ),
        Area(
            "caribbean",
            N_("Caribbean (CARICOM)"),
            ("americas",),
            ("grulac",),
            ("latin_america_caribbean",),
        ),
        Area(
            "nordic_baltic",
            N_("Nordic and Baltic States"),
            ("europe",),
            ("weog", "eastern_european"),
            ("northern_europe",),
        ),
        Area(
            "south_east_europe",
            N_("South-East Europe"),
            ("europe",),
            ("eastern_european",),
            ("southern_europe", "eastern_europe"),
        ),
    )
}


def default_scope(countries: list[str]) -> str:
    """For records written before scope existed: national with countries, else global."""
    return "national" if countries else GLOBAL


def places(scope: str, area: str | None, countries: list[str]) -> dict[str, list[str]]:
    """The regions, sub-regions and UN regional groups a practice counts under.

    Global practices count under "global" in both regions and UN groups, so that a facet or a
    coverage table can show them; national ones where their countries are; regional ones
    where their area is (countries they name add nothing: members do not move an area).
    """
    if scope == GLOBAL:
        return {"regions": [GLOBAL], "subregions": [], "un_groups": [GLOBAL]}
    if scope == "regional" and area in AREAS:
        found = AREAS[area]
        return {
            "regions": sorted(found.regions),
            "subregions": sorted(found.subregions),
            "un_groups": sorted(found.un_groups),
        }
    known = [c for c in (geography.country(code) for code in countries) if c]
    return {
        "regions": sorted({c.region for c in known}),
        "subregions": sorted({c.subregion for c in known}),
        "un_groups": sorted({c.un_group for c in known if c.un_group}),
    }


def areas_in(attribute: str, values) -> list[str]:
    """The area keys that count under any of these regions or UN groups."""
    wanted = set(values)
    return [key for key, a in AREAS.items() if wanted & set(getattr(a, attribute))]

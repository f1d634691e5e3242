from collections import Counter

from repository import geography
from repository.vocabularies import ACTOR_TYPES, PILLARS, TAG_VOCABULARIES


def test_the_four_actor_types_users_look_for_come_first():
    assert ACTOR_TYPES.values[:4] == ("government", "private_sector", "ngo", "media")


def test_pillars_are_the_four_ps_in_order():
    assert PILLARS.values == ("prevention", "protection", "prosecution", "partnership")


def test_vocabulary_values_are_unique_and_labelled():
    for vocabulary in TAG_VOCABULARIES.values():
        assert len(set(vocabulary.values)) == len(vocabulary.values)
        assert all(label and label != value for value, label in vocabulary.terms)


def test_sort_puts_values_in_display_order_without_duplicates():
    assert PILLARS.sort(["partnership", "prevention", "partnership"]) == [
        "prevention",
        "partnership",
    ]


def test_un_regional_group_edge_cases():
    assert geography.country("USA").un_group == "weog"  # observer, counted in WEOG
    assert geography.country("TUR").un_group == "weog"  # in WEOG and Asia-Pacific, counted in WEOG
    assert geography.country("KIR").un_group == ""  # Kiribati belongs to no group
    assert geography.country("CYP").un_group == "asia_pacific"
    assert geography.country("BRA").un_group == "grulac"
    assert geography.country("NGA").un_group == "african"
    assert geography.country("SRB").un_group == "eastern_european"


def test_every_un_member_has_a_region_and_group_sizes_match_the_un_list():
    members = [c for c in geography.countries().values() if c.un_member]
    assert len(members) == 193
    sizes = Counter(c.un_group for c in members)
    # 28 WEOG members plus the United States.
    assert sizes == {
        "african": 54,
        "asia_pacific": 53,
        "grulac": 33,
        "weog": 29,
        "eastern_european": 23,
        "": 1,
    }
    assert all(c.region in dict(geography.REGIONS) for c in members)
    assert all(c.subregion in dict(geography.SUBREGIONS) for c in members)


def test_m49_regions_and_subregions_are_derived():
    ghana = geography.country("GHA")
    assert (ghana.region, ghana.subregion, ghana.intermediate_region) == (
        "africa",
        "sub_saharan_africa",
        "Western Africa",
    )
    mexico = geography.country("MEX")
    assert (mexico.region, mexico.subregion) == ("americas", "latin_america_caribbean")
    assert geography.country("THA").subregion == "south_eastern_asia"
    assert geography.country("XXX") is None


def test_names_are_the_uns_in_six_languages():
    names = {code: geography.country(code).name for code in ("COD", "RUS", "VNM", "LAO", "PRK")}
    assert names == {
        "COD": "Democratic Republic of the Congo",
        "RUS": "Russian Federation",
        "VNM": "Viet Nam",
        "LAO": "Lao People's Democratic Republic",
        "PRK": "Democratic People's Republic of Korea",
    }
    assert geography.country("TUR").name == "Türkiye"
    turkey = geography.country("TUR")
    assert turkey.name_in("fr") == "Türkiye" and turkey.name_in("zh") == "土耳其"
    assert geography.country("CIV").name_in("ru") == "Кот-д’Ивуар"
    assert geography.country("RUS").name_in("ar") == "الاتحاد الروسي"


def test_areas_that_are_not_states_are_presented_as_the_un_presents_them():
    hong_kong = geography.country("HKG")
    assert hong_kong.name == "China, Hong Kong Special Administrative Region"
    assert hong_kong.status == "area"
    assert geography.country("PSE").status == "observer"
    assert geography.country("VAT").status == "observer"
    assert geography.country("FRA").status == "member"


def test_lists_follow_collation_not_code_points():
    names = [c.name for c in geography.countries().values()]
    assert names.index("Costa Rica") < names.index("Côte d'Ivoire") < names.index("Croatia")
    assert names.index("Afghanistan") < names.index("Åland Islands") < names.index("Albania")
    french = [c.name_in("fr") for c in geography.sorted_for("fr")]
    assert french.index("Égypte") < french.index("El Salvador") < french.index("Érythrée")


def test_every_sub_region_people_name_is_countries_and_words_in_six_languages():
    from repository.discovery.understanding import _place_words, area_countries, understand

    subregions = _place_words()["subregions"]
    for key, entry in subregions.items():
        assert set(entry["labels"]) == set(geography.UN_LANGUAGES), key
        assert all(entry["labels"][language] for language in geography.UN_LANGUAGES), key
        assert area_countries(key), key
    # M49 sub-regions come from the country data; the others list their countries.
    assert set(area_countries("western_africa")) >= {"SEN", "NER", "NGA", "GHA"}
    assert "KEN" not in area_countries("western_africa")
    assert set(area_countries("central_asia")) == {"KAZ", "KGZ", "TJK", "TKM", "UZB"}
    assert set(area_countries("gulf")) == {"BHR", "KWT", "OMN", "QAT", "SAU", "ARE"}
    # Understood in any language, the words kept (they rank the area's practices first), the
    # region(s) its countries lie in applied: the Arab States span Africa and Asia.
    found = understand("refugios en los países árabes")
    assert found.q == "refugios en los países árabes"
    assert {u.value for u in found.applied} == {"africa", "asia"}
    assert [words for words, _codes in found.areas] == ["países árabes"]
    # A one-word sub-region is a sub-region, not its whole continent.
    assert understand("Balkans").areas and understand("Balkans").q == "Balkans"
    assert not understand("Africa").areas and understand("Africa").q == ""


def test_a_place_known_by_capitals_is_not_read_into_a_word_of_another_language():
    from repository.discovery.understanding import understand

    # "se usa" is Spanish for "is used"; typed in capitals, or among English words, it is the
    # United States.
    assert understand("cómo se usa la tecnología contra la trata").applied == ()
    assert [u.value for u in understand("trata en USA").applied] == ["USA"]
    assert [u.value for u in understand("trafficking in the usa").applied] == ["USA"]
    # A name with two capitals is no acronym: Côte d'Ivoire in Russian, inflected.
    found = understand("какао-плантации Кот-д'Ивуара и Ганы")
    assert {u.value for u in found.applied} == {"CIV", "GHA"}

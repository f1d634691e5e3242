"""The search package on its own: plain documents in, ranked ids, counts and snippets out."""

from datetime import datetime, timedelta

import numpy as np
import pytest

from search import SearchIndex, SearchParams


def doc(id, title, summary="", description="", **tags):
    base = {
        "id": id,
        "title": title,
        "summary": summary or title,
        "description": description,
        "organisation": tags.pop("organisation", "Some Organisation"),
        "country_names": tags.pop("country_names", []),
        "pillars": tags.pop("pillars", ["prevention"]),
        "actor_types": tags.pop("actor_types", ["ngo"]),
        "regions": tags.pop("regions", []),
        "countries": tags.pop("countries", []),
        "practice_type": tags.pop("practice_type", "policy"),
        "evidence": "not_evaluated",
        "language": "en",
        "start_year": tags.pop("start_year", 2005),
        "end_year": tags.pop("end_year", None),
        "published_at": (datetime(2020, 1, 1) + timedelta(hours=id)).isoformat(),
        "updated_at": f"v{id}",
    }
    base["card"] = {"id": id, "title": title}
    base.update(tags)
    return base


DOCS = [
    doc(
        1,
        "Labour inspection in agriculture",
        "Inspectors visit farms to find forced labour.",
        pillars=["prevention", "prosecution"],
        actor_types=["government"],
        countries=["BRA"],
        regions=["americas"],
        start_year=2003,
        end_year=2008,
    ),
    doc(
        2,
        "Shelter network for women",
        "Shelters and legal aid run by non-governmental organisations.",
        pillars=["protection"],
        countries=["NLD"],
        regions=["europe"],
        start_year=1995,
    ),
    doc(
        3,
        "National referral mechanism",
        "A national referral mechanism links police and NGOs.",
        pillars=["protection", "partnership"],
        actor_types=["government", "ngo"],
        countries=["GBR"],
        regions=["europe"],
        start_year=2009,
    ),
    doc(
        4,
        "Media campaign on trafficking in persons",
        "Television spots warn young people.",
        pillars=["prevention"],
        actor_types=["media"],
        start_year=2004,
        end_year=2006,
    ),
    doc(
        5,
        "Organization of judges training",
        "Judges learn about human trafficking cases.",
        pillars=["prosecution"],
        actor_types=["un_entity"],
        countries=["PHL"],
        regions=["asia"],
    ),
]


@pytest.fixture
def index(tmp_path):
    index = SearchIndex(tmp_path / "index", embedder=None)
    index.rebuild(DOCS, seq=0)
    yield index
    index.close()


def ids(index, **kwargs) -> set[int]:
    filters = kwargs.pop("filters", {})
    return set(index.search(SearchParams.build(filters, per_page=100, **kwargs)).ids)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("labor", "labour"),
        ("organization", "organisation"),
        ("NGO", "non-governmental organisation"),
        ("TIP", "trafficking in persons"),
        ("THB", "TIP"),
        ("NRM", "national referral mechanism"),
    ],
)
def test_spelling_variants_and_synonyms_find_the_same_practices(index, first, second):
    assert ids(index, q=first) == ids(index, q=second)
    assert ids(index, q=first)


def test_an_acronym_matches_the_acronym_not_a_word_that_stems_like_it(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            # Tagged so that only the third is an NGO's: a facet word also matches the
            # practices tagged with its value.
            doc(1, "Hotline tips for callers", actor_types=["government"]),
            doc(2, "A TIP report", actor_types=["government"]),
            doc(3, "Support for NGOs"),
            doc(4, "National referral mechanism", actor_types=["government"]),
        ],
        seq=0,
    )
    assert ids(index, q="TIP") == {2}
    assert ids(index, q="tip") == {2}  # typed in lower case, still the acronym
    assert 1 in ids(index, q="tips")  # the plain word still stems as usual
    assert ids(index, q="NGO") == {3}
    assert ids(index, q="NRM") == {4}
    index.close()


def test_stemming_and_accents(index):
    assert ids(index, q="inspections") == {1}
    assert ids(index, q="réferral") == {3}


def test_phrases_and_boolean_operators(index):
    assert ids(index, q='"referral mechanism"') == {3}
    assert ids(index, q='"mechanism referral"') == set()
    assert ids(index, q="shelter OR judges") == {2, 5}
    assert ids(index, q="trafficking NOT judges") == {4}
    assert ids(index, q="national AND police") == {3}


@pytest.mark.parametrize(
    "q",
    [
        '"unclosed',
        "(((",
        "AND OR NOT",
        "title:x",
        "a:b:c",
        "*",
        "\\",
        "))((",
        # Whoosh's parser raised IndexError on these, and so did the plain-words fallback,
        # which read the same operators again (issue 10, item 7).
        "NOT NOT a",
        "NOT NOT NOT",
        "a AND NOT NOT b",
        "(NOT NOT)",
        "NOT OR NOT",
    ],
)
def test_odd_syntax_never_fails(index, q):
    index.search(SearchParams(q=q))


def test_a_misspelling_is_corrected_and_searched_unless_asked_for_as_typed(index):
    result = index.search(SearchParams(q="shelterr"))
    assert result.searched in {"shelter", "shelters"}  # "Showing results for ..."
    assert result.total and set(result.ids) == ids(index, q=result.searched)
    assert index.search(SearchParams(q="shelter")).searched is None
    as_typed = index.search(SearchParams(q="shelterr", as_typed=True))
    assert as_typed.total == 0 and as_typed.searched is None


def test_a_correction_that_finds_no_more_is_offered_not_searched(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "Compensation for survivors", "A state fund pays compensation"),
            doc(2, "Confiscated assets fund", "Confiscated assets go to a fund"),
        ],
        seq=0,
    )
    # Typed, the words match at most two of three ("fund", "confiscated"); corrected, too.
    result = index.search(SearchParams(q="compensaton fund confiscated"))
    assert result.searched is None and result.ids == [2]
    assert result.suggestion == "compensation fund confiscated"  # "Did you mean"
    assert index.search(SearchParams(q="compensaton fund", as_typed=True)).suggestion is None


def test_a_correction_joining_words_into_one_concept_is_searched(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "Kidney trade investigations", "Police stop the removal of organs"),
            doc(2, "Organ of the state for victims", "A state organ coordinates support"),
            doc(3, "Trafficking case review", "Trafficking cases are reviewed"),
        ],
        seq=0,
    )
    # Typed, "organ" matches one word of two (practice 2); corrected, the words name one
    # concept, organ removal, which practice 1 matches whole: a larger share of what was asked.
    result = index.search(SearchParams(q="organ traficking"))
    assert result.searched == "organ trafficking"
    assert result.ids[0] == 1


def test_a_correction_keeps_the_elided_article_typed_with_the_word(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "Lutte contre le prélèvement d'organes", "Enquêtes sur le trafic d'organes"),
            doc(2, "Prélèvement des cotisations", "Un prélèvement mensuel"),
        ],
        seq=0,
    )
    # "d'orgnaes" is corrected to "d'organes", not "organes", so the query still reads as the
    # label "prélèvement d'organes" and finds the practice about organ removal first.
    result = index.search(SearchParams(q="prélèvement d'orgnaes"))
    assert result.searched == "prélèvement d'organes"
    assert result.ids[0] == 1
    # And the prefix of a joined word is kept as typed.
    index.rebuild([doc(3, "Anti-trafficking law", "A law against trafficking")], seq=1)
    assert index.search(SearchParams(q="anti-traficking law")).searched == "anti-trafficking law"


def test_a_strict_query_is_not_corrected_but_offered_the_correction(index):
    result = index.search(SearchParams(q="shelterr AND women"))
    assert result.total == 0 and result.searched is None
    assert result.suggestion in {"shelter AND women", "shelters AND women"}


def test_corrections_prefer_fewer_edits_over_more_frequent_words(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    prosecutors = [doc(n, f"Prosecutors network {n}", "Prosecutors meet") for n in range(1, 6)]
    index.rebuild([*prosecutors, doc(9, "Prosecution of traffickers", "Prosecution")], seq=0)
    # "prosecutors" is in five documents and two edits away; "prosecution" in one, one edit.
    assert index.search(SearchParams(q="prosecuton")).searched == "prosecution"
    # A swap of two letters counts as one edit, in short words too (one edit allowed there).
    assert index.search(SearchParams(q="porsecution")).searched == "prosecution"
    assert index.search(SearchParams(q="ntework")).searched == "network"
    # A slip of the first letter too, when no word near starts as typed.
    assert index.search(SearchParams(q="rosecution")).searched == "prosecution"
    assert index.search(SearchParams(q="etwork")).searched == "network"


def test_stop_words_and_thesaurus_words_of_other_languages_are_never_corrected(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild([doc(1, "Is there a fund for victims", "The fund pays compensation")], seq=0)
    # "the" would be one edit from "there", but a stop word is left alone.
    assert index.search(SearchParams(q="is the a fund")).searched is None
    # "refugios" (Spanish for shelters) is a label of the thesaurus: not a typo to correct.
    assert index.search(SearchParams(q="refugios fund")).searched is None


def test_real_words_the_collection_lacks_are_never_corrected(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "Survivors sharing their stories", "Survivors advise on policy"),
            doc(2, "Safe places for children", "Places of safety and strategies"),
            doc(3, "قائمة المتجرين", "المتجرين في العمل الشبيهة بالرق"),
            doc(4, "Trabajador doméstico", "Derechos del trabajador y trabajo decente"),
        ],
        seq=0,
    )
    # Each word is one or two letters from a word of the collection, which would match more
    # of the query; each is a word of its language (the dictionary's, or an inflection of a
    # word of the collection: "trabajando" of "trabajo"), so none is a typo.
    for q in (
        "survivors shaping policy",
        "planes y estrategias",
        "المتورطين في العمل",
        "trabajando como trabajador",
    ):
        assert index.search(SearchParams(q=q)).searched is None, q
    # Typos are still corrected, in each script.
    assert index.search(SearchParams(q="survivors sharng policy")).searched is not None
    assert index.search(SearchParams(q="safety plcaes")).searched == "safety places"
    index.close()


def test_a_typo_is_corrected_to_a_word_of_a_translation(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    shelter = doc(1, "Shelter for survivors", "Safe housing and counselling")
    shelter["translations"] = {
        "fr": {"title": "Foyer pour survivantes", "summary": "Hébergement sûr et écoute"}
    }
    index.rebuild([shelter, doc(2, "Labour inspection", "Inspectors visit farms")], seq=0)
    # The French word is only in the translation of an English practice.
    result = index.search(SearchParams(q="hébergemnt"))
    assert result.searched in {"hébergement", "hebergement"} and result.ids == [1]


def test_the_words_of_a_place_named_in_the_query_are_never_corrected(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "Ley contra la trata", "Ley orgánica de Túnez", countries=["TUN"]),
            doc(2, "Marco legal", "Una ley nacional", countries=["DZA"]),
            doc(3, "Norme de protection", "Une norme pour l'Afrique", countries=["SEN"]),
            doc(4, "Norme du travail", "La norme de l'OIT en África", countries=["ZAF"]),
        ],
        seq=0,
    )
    # No text says "norte", one letter from the French "norme", and "norme" with "África"
    # would match two words where the typed words match one (the area): the place is no typo.
    areas = (("norte de África", ("TUN", "DZA", "EGY")),)
    result = index.search(SearchParams(q="norte de África", areas=areas))
    assert result.searched is None
    assert set(result.ids) == {1, 2}
    index.close()


def test_words_of_deleted_documents_are_never_offered_as_corrections(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild([doc(1, "Shelter", "Shelter"), doc(2, "Zanzibarian pilot", "Pilot")], seq=0)
    index.apply([], [2], seq=1)  # unpublished: its words linger in the lexicon until a merge
    result = index.search(SearchParams(q="zanzibariann"))
    assert result.searched is None and result.total == 0


def test_snippets_mark_matches_and_escape_the_text(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild([doc(1, "Hotline", "Call <script>alert(1)</script> the hotline & more")], seq=0)
    snippet = index.search(SearchParams(q="hotline")).snippets[1]
    assert "<mark>hotline</mark>" in snippet.lower()
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet and "&amp;" in snippet


def test_a_word_naming_an_actor_type_form_or_instrument_finds_the_practices_tagged_so(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            # Tagged, and never naming the tag in their words.
            doc(
                1,
                "Garment workers' helpdesk",
                "Members meet at the factory gate",
                actor_types=["trade_union"],
            ),
            doc(
                2,
                "Rescue at sea",
                "Fishers held on boats for years",
                exploitation_forms=["forced_labour"],
            ),
            doc(3, "Garment exports", "Factory output grows", actor_types=["government"]),
        ],
        seq=0,
    )
    assert index.search(SearchParams(q="trade unions garment")).ids[0] == 1
    assert index.search(SearchParams(q="sindicatos")).ids == [1]
    assert index.search(SearchParams(q="forced labour fishers")).ids[0] == 2
    assert 2 in index.search(SearchParams(q="travail forcé")).ids


def test_facet_counts_exclude_only_their_own_filter(index):
    result = index.search(SearchParams.build({"pillar": ["protection"], "region": ["europe"]}))
    assert set(result.ids) == {2, 3}
    # Pillar counts apply the region filter only; region counts apply the pillar filter only.
    assert result.facets["pillar"] == {"protection": 2, "partnership": 1}
    assert result.facets["region"] == {"europe": 2}
    assert result.facets["actor_type"] == {"ngo": 2, "government": 1}
    assert result.totals_without == {"pillar": 2, "region": 2}


def test_values_within_a_facet_combine_with_or_and_facets_with_and(index):
    assert ids(index, filters={"pillar": ["protection", "prosecution"]}) == {1, 2, 3, 5}
    assert ids(index, filters={"pillar": ["protection", "prosecution"], "region": ["asia"]}) == {5}


def test_year_range_keeps_practices_active_in_it(index):
    # 4 ran 2004-2006, 1 ran 2003-2008; ongoing ones count as running until now.
    assert ids(index, year_from=1990, year_to=2000) == {2}
    assert ids(index, year_from=2007, year_to=2007) == {1, 2, 5}


def test_sorting_and_paging(index):
    # Most recent activity: 3, 5 and 2 are ongoing (started 2009, 2005, 1995), 1 ended in 2008.
    newest = index.search(SearchParams(sort="newest", per_page=2))
    assert newest.ids == [3, 5] and newest.total == 5 and newest.pages == 3
    # Earliest start: 2 (1995), 1 (2003), 4 (2004), 5 (2005), 3 (2009).
    assert index.search(SearchParams(sort="oldest", per_page=2, page=3)).ids == [3]
    titles = index.search(SearchParams(sort="title", per_page=5)).ids
    assert titles == [1, 4, 3, 5, 2]


def test_updates_and_deletes_never_duplicate_or_leak(index):
    for n in range(40):
        index.apply([doc(2, f"Shelter network revision {n}")], [], seq=n + 1)
        assert index.search(SearchParams(q="shelter")).ids == [2]
    index.apply([], [4], seq=50)
    result = index.search(SearchParams(per_page=100))
    assert sorted(result.ids) == [1, 2, 3, 5]
    assert "media" not in result.facets["actor_type"]
    # A deleted document's words linger in the lexicon but are never suggested.
    assert index.search(SearchParams(q="televison")).suggestion is None
    assert index.applied_seq() == 50


def test_a_repeated_search_is_served_from_the_cache_until_the_index_changes(index):
    params = SearchParams(q="shelter")
    first = index.search(params)
    assert index.search(params) is first
    index.apply([doc(6, "Another shelter")], [], seq=1)
    assert index.search(params) is not first
    assert index.search(params).total == 2


def test_more_like_this_and_related(index):
    similar = [i for i, _card in index.more_like_this(3)]
    assert 3 not in similar
    assert index.more_like_this(999) == []
    assert [i for i, _ in index.related("judges zebra")] == [5]


def test_chinese_is_matched_by_two_character_pieces(tmp_path):
    docs = [
        doc(1, "中国反对拐卖人口行动计划", "国家行动计划打击拐卖妇女儿童"),
        doc(2, "新加坡预防人口贩运法", "惩治贩运人口犯罪"),
        doc(3, "Shelter network", "Shelters for women"),
    ]
    index = SearchIndex(tmp_path / "zh", embedder=None)
    index.rebuild(docs, seq=0)
    try:
        assert list(index.search(SearchParams(q="拐卖儿童")).ids) == [1]
        # 人口贩运 and 拐卖人口 are labels of one concept (trafficking in persons): 2 has the
        # words typed and ranks first; 1 says 拐卖人口 and is found through the thesaurus.
        assert list(index.search(SearchParams(q="人口贩运")).ids) == [2, 1]
        assert list(index.search(SearchParams(q="行动计划")).ids) == [1]
    finally:
        index.close()


def test_recent_work_first_sorts_by_the_practices_own_years_not_publication(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            # Published last, but the work ended in 2008.
            doc(9, "Old campaign", start_year=2001, end_year=2008),
            doc(1, "Running since 1999", start_year=1999),  # ongoing: active now
            doc(2, "Ended 2021", start_year=2015, end_year=2021),
            doc(3, "Ongoing since 2020", start_year=2020),
        ],
        seq=0,
    )

    def ordered(sort, **kwargs):
        return index.search(SearchParams(sort=sort, **kwargs)).ids

    assert ordered("newest") == [3, 1, 2, 9]  # ongoing (latest start first), then by end year
    assert ordered("oldest") == [1, 9, 2, 3]
    assert ordered("added") == [9, 3, 2, 1]  # publication order, for feeds of new entries
    # Active since 2019: running at some point from 2019 on.
    assert set(ordered("newest", year_from=2019)) == {1, 2, 3}


def test_one_word_is_enough_when_no_document_within_the_filters_has_more(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "Shelter for women", regions=["europe"]),
            doc(2, "Shelter police training", regions=["asia"]),
        ],
        seq=0,
    )
    # Across the collection, 2 matches all three words and 1 only one: 2 alone is found.
    assert index.search(SearchParams(q="shelter police training")).ids == [2]
    # Within Europe no practice has two of the words: one is enough there.
    europe = SearchParams.build({"region": ["europe"]}, q="shelter police training")
    assert index.search(europe).ids == [1]


def test_every_page_in_every_sort_is_the_plain_full_sort_cut_into_pages(tmp_path):
    """The engine sorts only what a page needs; a reader paging through sees exactly the
    order of sorting every result (ties included: many practices share a score here)."""
    words = ["shelter", "hotline", "police", "shelter hotline", "shelter police hotline"]
    docs = [
        doc(
            n,
            f"{words[n % 5]} {'alpha' if n % 3 else 'beta'} {n}",
            start_year=1990 + n % 7,
            end_year=None if n % 4 else 2000 + n % 5,
        )
        for n in range(1, 61)
    ]
    index = SearchIndex(tmp_path / "pages", embedder=None)
    index.rebuild(docs, seq=0)
    try:
        snapshot = index._fresh()[1]
        for q in ("", "shelter hotline police", "alpha", "shelter OR beta"):
            for sort in ("relevance", "newest", "oldest", "added", "title"):
                full = index.search(SearchParams(q=q, sort=sort, per_page=100))
                paged = []
                for page in range(1, full.pages * 25 + 1):
                    result = index.search(SearchParams(q=q, sort=sort, per_page=4, page=page))
                    paged += result.ids
                    if not result.ids:
                        break
                assert paged == full.ids and len(paged) == full.total
                # The plain way: score (by relevance), then rank, for every result at once.
                by_id = snapshot.docnum_by_id
                docnums = np.array([by_id[i] for i in full.ids])
                ranks = {
                    "newest": -snapshot.recent_rank,
                    "oldest": snapshot.start_rank,
                    "added": -snapshot.added_rank,
                    "title": snapshot.title_rank,
                }
                if sort != "relevance" or not q:
                    keys = ranks["newest" if sort == "relevance" else sort][docnums]
                    assert list(keys) == sorted(keys)
    finally:
        index.close()


def test_a_page_by_relevance_is_the_full_sort_of_scores_then_recency_cut():
    """Against sorting every result: best score first, equal scores by most recent activity."""
    rng = np.random.default_rng(3)

    class Ranks:
        recent_rank = rng.permutation(500)

    for _trial in range(30):
        results = rng.random(500) < rng.choice([0.05, 0.5, 1.0])
        scores = rng.integers(0, 4, 500).astype(float)  # many ties
        hits = np.flatnonzero(results)
        full = hits[np.lexsort((-Ranks.recent_rank[hits], -scores[hits]))]
        for start, count in ((0, 20), (20, 20), (40, 7), (480, 20)):
            page = SearchIndex._page(hits, results, Ranks, scores, "relevance", start, count)
            assert page.tolist() == full[start : start + count].tolist()


def test_an_area_named_in_the_words_ranks_practices_of_its_countries_first(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            # Has every word but is not in West Africa: the words alone find it, and not
            # Senegal's shelter (which never names the area).
            doc(1, "Shelter in Cape Town", "On the west coast of South Africa.", countries=["ZAF"]),
            doc(2, "Shelter in Dakar", "A shelter for women.", countries=["SEN"]),
            doc(3, "Regional shelter programme", "Shelters across West Africa."),
            doc(4, "Police training", "Training in Niamey.", countries=["NER"]),
        ],
        seq=0,
    )
    plain = SearchParams(q="shelter West Africa", per_page=10)
    words_only = index.search(plain).ids
    assert 1 in words_only and 2 not in words_only and 4 not in words_only
    areas = (("West Africa", ("SEN", "NER", "GHA")),)
    ranked = index.search(SearchParams(q="shelter West Africa", per_page=10, areas=areas)).ids
    # Senegal's shelter and the programme naming the area first, then Niger's practice of
    # the area (not about shelters), then the rest.
    assert set(ranked[:2]) == {2, 3} and ranked[2:] == [4, 1]
    # The area is one topic among the words: the practices of its countries join the results.
    assert set(ranked) == set(words_only) | {2, 4}
    index.close()


def test_words_every_practice_shares_do_not_count_as_topics(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "Shelter for victims", "How countries run a shelter for victims."),
            doc(2, "Shelter network", "Women are housed in a shelter."),
            doc(3, "Countries and their roles", "A list of countries and the role each plays."),
        ],
        seq=0,
    )
    # "countries" and "role" name no topic in a question about practices: a practice having
    # both but not what the question is about is not found (two of three words would do).
    found = index.search(SearchParams(q="the role of countries in shelter")).ids
    assert sorted(found) == [1, 2]
    index.close()


@pytest.mark.parametrize(
    "q",
    [
        "getting the general public to know about awareness campaigns",
        "faire connaître la traite par des campagnes de sensibilisation",
        "conseguir que el público conozca la trata con campañas de sensibilización",
    ],
)
def test_the_verbs_of_a_request_do_not_count_as_topics(tmp_path, q):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "Awareness campaign on radio", "Campaigns reach the public in villages."),
            doc(2, "Know your rights", "Workers get to know their rights and get legal aid."),
            doc(3, "Labour law guide", "Connaître ses droits et obtenir de l'aide."),
            doc(4, "Guía legal", "Conocer sus derechos y conseguir ayuda."),
        ],
        seq=0,
    )
    # The request's verbs ("get", "know", "connaître", "conseguir"...) say how the delegate
    # asks, not what about: only the campaign answers.
    assert index.search(SearchParams(q=q)).ids == [1]
    index.close()


def test_french_and_spanish_function_words_and_elisions_do_not_count_as_topics(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "Non-sanction des victimes", "Les victimes forcées de commettre des délits."),
            doc(2, "Rapport annuel", "Ce qu'elles ont été, ce qu'ils ont fait, ce qui a été."),
            doc(3, "Informe anual", "Lo que han sido y lo que fueron, lo que ha estado."),
            doc(4, "No punición", "Víctimas forzadas a cometer delitos."),
        ],
        seq=0,
    )
    # "qu'elles", "ont", "été" (and "han", "sido", "fueron") say nothing of the topic: a text
    # made of them matched three "words" of the query and came first.
    assert index.search(SearchParams(q="victimes qu'elles ont été forcées")).ids == [1]
    assert index.search(SearchParams(q="víctimas que han sido forzadas")).ids == [4]
    index.close()


def test_a_long_chinese_question_finds_a_practice_with_its_main_words(tmp_path):
    """Each two-character piece of a Chinese run is a topic, but a run of n characters is n - 1
    pieces for about n / 2 words. Counted as whole words toward the minimum, this question
    (youth, then 14 pieces) asked a practice for 8 of its 15 topics, so the youth advisory
    council (5) was left out by a text that shares the question's wording (12)."""
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "青年咨询委员会", "青年咨询委员会"),
            doc(2, "委员会怎样运作以及成员轮换", "委员会怎样运作以及成员轮换"),
            doc(3, "渔业强迫劳动检查", "港口检查"),
        ],
        seq=0,
    )
    found = index.search(SearchParams(q="青年咨询委员会怎样运作以及成员轮换")).ids
    assert sorted(found) == [1, 2]

"""The concept thesaurus: a complete six-language file, and queries expanded through it in each
of the six UN languages; per-language analysis of the index (words only: no model here)."""

import json

import pytest

from search import SearchIndex, SearchParams
from search.analysis import text_analyzer
from search.thesaurus import THESAURUS_FILE, Thesaurus
from search.thesaurus import default as thesaurus
from tests.unit.test_search_engine import doc

LANGUAGES = ("ar", "zh", "en", "fr", "ru", "es")


def concept_ids(q: str) -> list[str]:
    """The ids of the concepts the default thesaurus reads in a query, in order."""
    return [c.id for _s, _e, c in thesaurus().concepts_in(q)]


def test_every_concept_has_a_preferred_label_in_each_of_the_six_languages():
    data = json.loads(THESAURUS_FILE.read_text(encoding="utf-8"))
    assert data["version"] and len(data["concepts"]) >= 200
    ids = [c["id"] for c in data["concepts"]]
    assert len(ids) == len(set(ids))
    for concept in data["concepts"]:
        for language in LANGUAGES:
            assert concept["labels"][language]["pref"].strip(), (concept["id"], language)
        for link in (*concept.get("broader", []), *concept.get("related", [])):
            assert link in ids, (concept["id"], link)


def test_broader_links_give_narrower_ones():
    t = thesaurus()
    child = next(c for c in t.concepts.values() if c.broader)
    assert child.id in t.narrower[child.broader[0]]


# An English practice about shelters that uses only "safe house" and "accommodation".
SHELTER = doc(1, "Safe house network", "Accommodation for people leaving exploitation")
OTHER = doc(2, "Training judges", "Courses for the judiciary")


@pytest.mark.parametrize(
    "q",
    ["shelter", "refuge", "refugio", "приют для жертв", "مأوى", "دار إيواء", "庇护所"],
)
def test_a_concept_named_in_any_language_finds_the_practice_that_uses_another_label(tmp_path, q):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild([SHELTER, OTHER], seq=0)
    assert concept_ids(q) == ["shelter"], q
    assert index.search(SearchParams(q=q)).ids == [1]


# A tourism industry practice names the problem in the sector's words, not "sex tourism".
TOURISM = doc(
    3,
    "Hotel and tour operator staff training",
    "Protecting children from sexual exploitation in travel and tourism.",
)


@pytest.mark.parametrize(
    "q",
    [
        "sex tourism",
        "tourisme sexuel",
        "turismo sexual",
        "секс-туризм",
        "السياحة الجنسية",
        "色情旅游",
    ],
)
def test_sex_tourism_in_any_language_finds_a_practice_that_never_says_it(tmp_path, q):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild([TOURISM, OTHER], seq=0)
    assert index.search(SearchParams(q=q)).ids == [3]


@pytest.mark.parametrize(
    "q, concept",
    [
        ("lois", "law"),
        ("numéros verts", "hotline"),
        ("conflits armés", "armed_conflict"),
        ("radios", "media"),
        ("renvois", "referral"),
    ],
)
def test_a_french_plural_names_the_concept_of_its_singular(q, concept):
    """Snowball's French stemmer keeps the s of "lois" and stems "conflits" otherwise than
    "conflit"; the thesaurus takes the plural's s off first."""
    assert concept_ids(q) == [concept]


@pytest.mark.parametrize(
    "q, concept",
    [("mujer", "women"), ("empleadas de hogar", "domestic_work"), ("líneas de ayuda", "hotline")],
)
def test_a_spanish_singular_or_plural_names_the_concept_of_the_other(q, concept):
    """Snowball's Spanish stemmer gives "mujeres" "mujer" but "mujer" "muj"."""
    assert concept_ids(q) == [concept]


@pytest.mark.parametrize(
    "q, concept",
    [
        ("explotación", "exploitation"),
        ("explotador", "trafficker"),
        ("niñas", "girls"),
        ("niños", "children"),
        ("traité", "convention"),
        ("traite", "human_trafficking"),
    ],
)
def test_of_labels_alike_once_stemmed_the_one_written_as_typed_is_read(q, concept):
    assert concept_ids(q) == [concept]


@pytest.mark.parametrize(
    "q, concept",
    [
        ("trata con fines de explotación laboral", "labour_exploitation"),
        ("trata de niñas con fines de explotación sexual", "sexual_exploitation"),
    ],
)
def test_of_two_overlapping_labels_the_narrower_concept_is_read(q, concept):
    """The Spanish formula: "fines de explotación" (purpose of exploitation) is the longer label
    but the general concept; the form of exploitation is what the query names."""
    named = concept_ids(q)
    assert concept in named and "exploitation" not in named, named


@pytest.mark.parametrize(
    "q, wrong",
    [
        ("what is being done to stop child labour", "data_collection"),  # "données"
        ("training for the national police", "statelessness"),  # "nationalité"
        ("is there a date for the review of the law", "data_collection"),  # "datos"
        ("how do courts fall behind on these cases", "conviction"),  # "fallo"
        ("le fiscal et les entreprises pour une économie juste", "prosecutors"),  # Spanish "fiscal"
    ],
)
def test_a_plain_query_reads_no_word_as_another_languages_false_friend(q, wrong):
    """Stems meet across English, French and Spanish: Snowball gives French "don" to "done"
    and "données". Where the query's small words say which language it is in, a word matched
    only through another language's stem names nothing."""
    named = concept_ids(q)
    assert wrong not in named, named


@pytest.mark.parametrize(
    "q, concept",
    [
        ("how to protect children from trafficking", "protection"),
        ("vulnerable migrants in the cities", "vulnerability"),
        ("tribunals that hear trafficking cases", "judiciary"),
        ("réfugiés et demandeurs d'asile", "refugees"),  # the same words in several languages
        ("trata de personas in the Andes and the Amazon", "human_trafficking"),  # written as typed
        ("vulnerable", "vulnerability"),  # too few small words to tell the language
    ],
)
def test_the_querys_own_words_and_labels_as_typed_still_name_their_concept(q, concept):
    assert concept in concept_ids(q)


@pytest.mark.parametrize(
    "q", ["formation de la police nationale", "national police", "policía nacional", "国籍"]
)
def test_nationality_alone_is_not_statelessness(q):
    """The label "nationalité" named statelessness, and French stems "nationale" the same way,
    so the national police named it."""
    assert "statelessness" not in concept_ids(q)
    assert concept_ids(q + " apatride")[-1] == "statelessness"


def test_a_false_friend_no_longer_brings_practices_about_something_else(tmp_path):
    """In "what is being done", "done" counted as a topic that the practices about statistics
    matched ("données", data), so they outranked the one about the subject."""
    index = SearchIndex(tmp_path / "ix", embedder=None)
    data = doc(1, "Observatoire", "Collecte de données sur la traite et les victimes.")
    data["language"] = "fr"
    cocoa = doc(2, "Cocoa farms", "Work against child labour on cocoa farms with communities.")
    index.rebuild([data, cocoa], seq=0)
    assert index.search(SearchParams(q="what is being done about the cocoa farms")).ids == [2]


def test_the_spanish_formula_finds_that_form_of_exploitation_only(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(5, "Farm worker exploitation", "Inspections on farms and plantations."),
            doc(6, "Sexual exploitation of women", "Outreach in bars and clubs."),
        ],
        seq=0,
    )
    assert index.search(SearchParams(q="con fines de explotación laboral")).ids == [5]


@pytest.mark.parametrize(
    "q, concept",
    [
        ("mano de obra esclava", "forced_labour"),
        ("mano de obra migrante", "migrant_workers"),
        ("travailleuses domestiques", "domestic_work"),
    ],
)
def test_labour_in_spanish_and_women_workers_in_french_name_their_concept(q, concept):
    """ "Mano de obra" (labour) is no building site ("obras"), and the ILO's French names domestic
    workers in the feminine as well."""
    assert concept_ids(q) == [concept]


@pytest.mark.parametrize(
    "q",
    [
        "non-punishment of victims",
        "victims compelled to commit offences",
        "ne pas poursuivre les victimes pour les délits qu'elles ont été forcées de commettre",
        "no punición de las víctimas",
        "víctimas obligadas a cometer delitos",
        "жертвы, вынужденные совершать преступления",
    ],
)
def test_the_non_punishment_principle_is_read_as_delegates_write_it(q):
    """ "Non-punishment" without "principle" named sentencing (through "punishment"), and the
    French, Spanish and Russian for "compelled to commit" named nothing."""
    assert "non_punishment_principle" in concept_ids(q)
    assert "sentencing" not in concept_ids(q)


@pytest.mark.parametrize(
    "q",
    [
        "organisations run by survivors of trafficking",
        "organizaciones dirigidas por sobrevivientes",
        "organizaciones lideradas por supervivientes de trata",
    ],
)
def test_organisations_run_by_survivors_are_one_concept_in_english_and_spanish(q):
    """ "Run by survivors" and Spain's "supervivientes" named no organisation led by survivors, and
    "organisations" became a topic of its own."""
    found = concept_ids(q)
    assert found[0] == "survivor_led_organisation" and "stakeholder" not in found


@pytest.mark.parametrize(
    "q",
    [
        "people who escaped trafficking",
        "helping people who got out of trafficking earn a living",
        "jobs for former victims of trafficking",
        "anciennes victimes de la traite",
        "ex víctimas de trata",
        "бывшие жертвы торговли людьми",
        "الضحايا السابقون",
        "前受害者",
    ],
)
def test_former_victims_and_people_who_escaped_are_survivors_in_six_languages(q):
    """Delegates write "former victims" and "people who escaped trafficking" for survivors; those
    words named only victims, or trafficking, and missed the practices about survivors."""
    assert "survivors" in concept_ids(q)


@pytest.mark.parametrize(
    "q",
    [
        "technology to detect forced labour",
        "cómo se usa la tecnología para detectar la trata",
        "outils numériques contre la traite",
        "использование технологий для выявления торговли людьми",
        "الذكاء الاصطناعي لكشف الاتجار",
        "用人工智能识别贩运人口",
        "a mobile app for migrant workers",
    ],
)
def test_technology_used_against_trafficking_is_a_concept_in_six_languages(q):
    """Technology used against trafficking (apps, screening tools, data analysis) had no concept,
    only its misuse had: "tecnología" found Spanish texts alone and never an English app."""
    assert "technology_tools" in concept_ids(q)


@pytest.mark.parametrize(
    "q", ["technology-facilitated trafficking", "application de la loi", "技术援助"]
)
def test_technology_misused_law_enforcement_and_technical_aid_are_not_technology_tools(q):
    """The narrower, longer label wins; "application" (of a law) and 技术 (technical, as in
    technical assistance) are not labels of tools."""
    assert "technology_tools" not in concept_ids(q)


def test_a_law_saying_victims_are_not_prosecuted_is_found_by_the_non_punishment_principle(
    tmp_path,
):
    """Laws state the principle without naming it: South Africa's says victims are "not to be
    prosecuted for offences committed as a direct result of being trafficked", Egypt's speaks
    of "عدم مساءلة الضحايا" (victims not held liable)."""
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "Trafficking act", "Victims are not to be prosecuted for such offences."),
            doc(2, "قانون مكافحة الاتجار", "ينص على عدم مساءلة الضحايا"),
            doc(3, "Prosecution of traffickers", "Traffickers are prosecuted and punished."),
        ],
        seq=0,
    )
    for q in ("non-punishment principle", "principe de non-sanction", "不惩罚原则"):
        assert set(index.search(SearchParams(q=q)).ids) == {1, 2}, q


def test_a_french_plural_finds_a_practice_in_another_language(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild([doc(4, "Anti-trafficking act", "A statute adopted in 2015."), OTHER], seq=0)
    assert index.search(SearchParams(q="lois")).ids == [4]


def test_synonyms_link_what_the_issue_listed(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "Rights of domestic workers", "Household workers abroad"),
            doc(2, "Forced recruitment of children", "Children associated with armed groups"),
            doc(3, "Awareness-raising on radio", "Public awareness"),
            doc(4, "Courts and magistrates", "Judicial authorities"),
        ],
        seq=0,
    )
    assert index.search(SearchParams(q="maids")).ids == [1]
    assert index.search(SearchParams(q="child soldiers")).ids == [2]
    assert index.search(SearchParams(q="campaign")).ids == [3]
    assert index.search(SearchParams(q="judges")).ids == [4]


@pytest.mark.parametrize(
    "q",
    [
        "bonnes pratiques de coopération judiciaire",
        "good practices in mutual legal assistance",
        "buenas prácticas de asistencia judicial recíproca",
    ],
)
def test_good_practice_in_a_query_is_no_topic_here(tmp_path, q):
    """Every entry of the repository is a good practice: asking for "good practices of X"
    asks for X, not for texts that happen to say "best practice"."""
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "Mutual legal assistance in trafficking cases", "Requests between courts"),
            doc(2, "Shelter handbook", "Best practice and promising practice in shelters"),
        ],
        seq=0,
    )
    assert index.search(SearchParams(q=q)).ids == [1]
    # Alone, the words ask for nothing in particular: every practice, as for no words.
    assert index.search(SearchParams(q="best practices")).total == 2


def test_inflected_russian_and_arabic_match_their_dictionary_forms():
    analyse = text_analyzer()

    def terms(text):
        return [t.text for t in analyse(text)]

    assert terms("уголовного преследования") == terms("уголовное преследование")
    assert terms("ضحايا الاتجار") == terms("ضحايا الإتجار")  # hamza on the alef
    assert terms("مؤسسة") == terms("مؤسسه")  # ta marbuta


def test_a_russian_query_finds_the_inflected_form_in_a_practice(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild([doc(1, "Закон о противодействии", "Помощь жертвам торговли людьми")], seq=0)
    assert index.search(SearchParams(q="жертвы")).ids == [1]


def test_arabic_words_with_the_article_are_stemmed_like_the_same_words_without(tmp_path):
    """The word "والاتجار" is "and trafficking": Snowball's Arabic stemmer left "وال" and
    "فال" whole, so the word named neither the concept nor the documents' "الاتجار"."""
    analyse = text_analyzer()

    def terms(text):
        return [t.text for t in analyse(text)]

    assert terms("والاتجار بالأشخاص") == terms("الاتجار بالأشخاص")
    assert terms("فالعمل الجبري") == terms("العمل الجبري")
    # A word ends the same with the article and without ("protection of the victims" writes
    # "protection" without it, "the protection" with it).
    assert terms("حماية ضحايا") == terms("الحماية الضحايا") == terms("للحماية والضحايا")
    named = concept_ids("العمل الجبري والاتجار بالأشخاص")
    assert named == ["forced_labour", "human_trafficking"]
    index = SearchIndex(tmp_path / "ix", embedder=None)
    index.rebuild(
        [
            doc(1, "حماية عاملات المنازل", "مكافحة العمل الجبري والاتجار بالأشخاص"),
            doc(2, "Shelter handbook", "Housing and care"),
        ],
        seq=0,
    )
    assert index.search(SearchParams(q="الاتجار بالبشر")).ids == [1]


def test_a_translation_is_indexed_so_the_practice_answers_in_that_language(tmp_path):
    index = SearchIndex(tmp_path / "ix", embedder=None)
    spanish = doc(1, "Ley contra la trata", "Protección integral")
    spanish["translations"] = {"en": {"title": "Law against trafficking", "summary": "Hotline"}}
    index.rebuild([spanish, OTHER], seq=0)
    assert index.search(SearchParams(q="hotline")).ids == [1]


def test_the_label_index_is_built_from_the_file_given():
    t = Thesaurus(
        {
            "version": "test",
            "concepts": [
                {
                    "id": "x",
                    "labels": {lang: {"pref": f"zork{lang}", "alt": []} for lang in LANGUAGES},
                }
            ],
        }
    )
    assert [c.id for _s, _e, c in t.concepts_in("a zorkfr here")] == ["x"]


def test_words_are_stemmed_the_same_by_requests_running_at_once():
    """Requests run in a thread pool; a Snowball stemmer shared between them once answered a 500
    (IndexError inside the French stemmer) to the first searches after start-up."""
    import sys
    import threading

    from search import multilingual

    words = [f"protégées{n} réinsertion{n} прокуратура{n} الضحايا{n}" for n in range(400)]
    expected = {
        language: [multilingual.stems(w, language) for w in words]
        for language in ("fr", "es", "ru", "ar")
    }
    failures = []

    def stem_all(language):
        try:
            for _ in range(3):
                multilingual._stem.cache_clear()  # make every call reach the stemmer
                if [multilingual.stems(w, language) for w in words] != expected[language]:
                    failures.append(f"{language}: different stems")
        except Exception as error:
            failures.append(f"{language}: {error!r}")

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [
            threading.Thread(target=stem_all, args=(lang,)) for lang in expected for _ in "ab"
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert failures == []


def test_a_small_word_of_a_language_is_never_read_as_an_acronym():
    from search.thesaurus import default

    # "au" is French for "in the": "au Sénégal" does not name the African Union; "AU" does.
    named = {c.id for _s, _e, c in default().concepts_in("mendicité des enfants au Sénégal")}
    assert "african_union" not in named
    assert "african_union" in {c.id for _s, _e, c in default().concepts_in("AU campaign")}


def test_the_c_stemmers_stem_every_thesaurus_word_as_the_pure_python_ones():
    """The index and the thesaurus stem with PyStemmer's C build when it is installed and with
    snowballstemmer's Python otherwise: an index built by one and searched by the other must
    agree word for word (one stem apart and a label names nothing)."""
    import re

    import Stemmer
    from snowballstemmer import (
        arabic_stemmer,
        english_stemmer,
        french_stemmer,
        russian_stemmer,
        spanish_stemmer,
    )

    from search.multilingual import snowball

    assert isinstance(snowball("english"), Stemmer.Stemmer)  # the fast one is in use
    text = THESAURUS_FILE.read_text(encoding="utf-8").lower()
    words = sorted(set(re.findall(r"[^\W\d_]+", text)))
    assert len(words) > 3000
    pure = {
        "english": english_stemmer.EnglishStemmer(),
        "french": french_stemmer.FrenchStemmer(),
        "spanish": spanish_stemmer.SpanishStemmer(),
        "russian": russian_stemmer.RussianStemmer(),
        "arabic": arabic_stemmer.ArabicStemmer(),
    }
    for algorithm, python in pure.items():
        c = Stemmer.Stemmer(algorithm)
        differ = [w for w in words if c.stemWord(w) != python.stemWord(w)]
        assert differ == [], (algorithm, differ[:5])

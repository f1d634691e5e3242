"""The words a delegate reads aloud: named, dated, what changed, a short spoken citation."""

from repository.brief import lines

ATHENS = {
    "title": "Athens Ethical Principles against human trafficking",
    "summary": "Adopted by business leaders in Athens on 23 January 2006, the Athens Ethical "
    "Principles commit signatory companies to zero tolerance of human trafficking.",
    "results": "The principles became the basis of the End Human Trafficking Now campaign.",
    "organisation": "Roundtable of the Business Community against Human Trafficking (Athens, 2006)",
    "start_year": 2006,
    "end_year": None,
    "language": "en",
    "sources": [{"publisher": "Forced Migration Review", "year": 2006, "url": "https://x"}],
}


def test_a_line_names_the_practice_then_says_what_changed_then_cites():
    assert lines.spoken_line(ATHENS) == (
        "Adopted by business leaders in Athens on 23 January 2006, the Athens Ethical "
        "Principles commit signatory companies to zero tolerance of human trafficking. "
        "The principles became the basis of the End Human Trafficking Now campaign. "
        "Source: Forced Migration Review, 2006."
    )


def test_a_summary_that_does_not_name_the_practice_gets_its_name_and_year_first():
    record = {
        **ATHENS,
        "title": "IPU Parliamentary Forum on Human Trafficking (Vienna, 12 February 2008)",
        "summary": "On the eve of the Vienna Forum, the Inter-Parliamentary Union gathered "
        "parliamentarians for a one-day forum.",
        "results": "",
        "start_year": 2008,
        "end_year": 2008,
        "sources": [],
        "organisation": "Inter-Parliamentary Union (IPU)",
    }
    assert lines.spoken_line(record) == (
        "IPU Parliamentary Forum on Human Trafficking, 2008: On the eve of the Vienna Forum, "
        "the Inter-Parliamentary Union gathered parliamentarians for a one-day forum. "
        "Source: IPU, 2008."
    )


def test_results_that_repeat_the_summary_are_not_said_twice():
    record = {
        **ATHENS,
        "results": "Business leaders adopted the Athens Ethical Principles in Athens in "
        "January 2006, committing companies to zero tolerance of trafficking.",
    }
    assert lines.spoken_line(record).count("Athens Ethical Principles") == 1


def test_a_practice_in_another_language_is_spoken_from_its_english_translation():
    record = {
        **ATHENS,
        "language": "fr",
        "start_year": 2005,
        "title": "Loi n° 2005-06 (Sénégal)",
        "summary": "Loi sénégalaise du 10 mai 2005.",
        "results": "La loi a permis des condamnations.",
        "translations": {
            "en": {
                "title": "Law No. 2005-06 (Senegal)",
                "summary": "Senegal's 2005 law criminalises trafficking in persons.",
            }
        },
    }
    line = lines.spoken_line(record)
    assert line.startswith("Law No. 2005-06: Senegal's 2005 law criminalises")
    assert "condamnations" not in line


def test_long_sentences_are_cut_where_a_clause_starts_never_mid_thought():
    long = "In 2006 the Athens Ethical Principles set " + "seven firm rules " * 9
    tail = ", which companies applied " + "in many places " * 5
    record = {**ATHENS, "summary": long.strip() + tail.rstrip() + "."}
    first = lines.spoken_line(record).split(". ")[0]
    assert first.endswith("seven firm rules") and "which" not in first
    # No clause to cut at: said whole rather than "to deter." or "…".
    whole = "In 2006 the Athens Ethical Principles, " + "to deter, detect " * 12 + "and act."
    record = {**ATHENS, "summary": whole}
    assert lines.spoken_line(record).startswith(whole)


def test_short_names_and_spoken_sources():
    assert (
        lines.short_name(
            "Protocol to Prevent, Suppress and Punish Trafficking in Persons, Especially Women and "
            "Children (UN Trafficking Protocol)"
        )
        == "UN Trafficking Protocol"
    )
    assert lines.short_name("MTV EXIT (End Exploitation and Trafficking)") == "MTV EXIT"
    assert lines.short_name("UN.GIFT – United Nations Global Initiative") == "UN.GIFT"
    assert lines.short_organisation("United Nations Office on Drugs and Crime (UNODC)") == "UNODC"
    assert lines.short_organisation("UNODC (copy hosted on docslib.org)") == "UNODC"


def test_speaking_time_is_words_at_130_a_minute():
    assert lines.speaking_seconds(130) == 60
    assert lines.clock(lines.speaking_seconds(400)) == "3:05"


def test_a_chinese_line_is_cut_by_characters_at_a_clause():
    summary = (
        "国务院办公厅2007年12月印发的中国首个国家反拐行动计划，由公安部牵头、约28个部门参与，"
        "首次提出建立集预防、打击、救助和康复为一体的反拐工作长效机制，并明确了各部门的职责分工。"
    )
    document = {
        "title": "中国反对拐卖妇女儿童行动计划",
        "summary": summary,
        "results": "",
        "language": "zh",
        "translations": {},
        "organisation": "国务院办公厅",
        "sources": [],
        "start_year": 2007,
        "end_year": 2012,
    }
    line = lines.spoken_line(document, "zh")
    said = line.split("Source:")[0].strip()
    # Cut where the second clause ends (a full-width comma), not in the middle of the list.
    assert said.endswith("约28个部门参与。"), said
    assert lines.spoken_count(said, "zh") <= round(lines.FIRST_WORDS * 220 / 130) + 20


def test_after_the_name_a_sentences_article_is_not_spoken_as_a_new_sentence():
    record = {
        **ATHENS,
        "title": "Modern-day slavery in focus (The Guardian)",
        "summary": "A long-running series by The Guardian that investigates forced labour.",
        "results": "",
        "start_year": 2014,
        "end_year": None,
        "sources": [],
        "organisation": "The Guardian",
    }
    assert lines.spoken_line(record, "en").startswith(
        "Modern-day slavery in focus, since 2014: a long-running series by The Guardian"
    )

"""The six catalogues against the template (repository/languages/catalogues.py)."""

import pytest

from repository.i18n import LOCALES
from repository.languages import catalogues


@pytest.fixture(scope="module")
def reports():
    return {r.language: r for r in catalogues.check_all()}


def test_every_language_has_a_catalogue_of_every_message(reports):
    expected = len(catalogues.template_ids())
    assert expected > 700
    for language in LOCALES:
        assert reports[language].messages == expected, language


def test_no_translation_loses_or_changes_a_placeholder(reports):
    broken = {lang: r.broken for lang, r in reports.items() if r.broken}
    assert broken == {}


def test_no_catalogue_holds_guesses_or_messages_the_code_no_longer_has(reports):
    assert {lang: r.fuzzy for lang, r in reports.items() if r.fuzzy} == {}
    assert {lang: r.stale for lang, r in reports.items() if r.stale} == {}


def test_every_message_is_translated_in_all_six_languages(reports):
    missing = {lang: len(r.untranslated) for lang, r in reports.items() if r.untranslated}
    assert missing == {}


def test_a_lost_or_renamed_placeholder_is_caught():
    assert catalogues.placeholders("%(count)s words at %(rate)d a minute") == [
        "count:s",
        "rate:d",
    ]
    assert catalogues.placeholders("100%% sure") == []
    # A French "50 % des" reads as a placeholder " d": the check flags it.
    assert catalogues.placeholders("50 % des pays") == [":d"]


def test_a_catalogue_with_a_broken_translation_is_reported(tmp_path):
    template = tmp_path / "messages.pot"
    template.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Page %(page)d of %(pages)d"\nmsgstr ""\n\n'
        'msgid "Search"\nmsgstr ""\n',
        encoding="utf-8",
    )
    folder = tmp_path / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Page %(page)d of %(pages)d"\nmsgstr "Page %(page)d sur %(total)d"\n',
        encoding="utf-8",
    )
    report = catalogues.check("fr", template, tmp_path)
    assert report.broken == [("Page %(page)d of %(pages)d", "Page %(page)d sur %(total)d")]
    assert report.untranslated == ["Search"]
    assert not report.complete


def test_the_template_holds_every_message_the_code_and_templates_mark(tmp_path, monkeypatch):
    """A message added without re-extracting would reach no translator."""
    from pathlib import Path

    from babel.messages.frontend import CommandLineInterface

    monkeypatch.chdir(Path(__file__).parents[2])  # pyproject.toml holds the configuration
    fresh = tmp_path / "fresh.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-o", str(fresh)])
    assert catalogues.template_ids(fresh) == catalogues.template_ids()

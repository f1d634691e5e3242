"""A practice in the reader's language: its title and summary translated where a translation
exists, always with the language the text shown is in (for `lang` and `dir`) and the original's.

Only the title and summary are translated (repository/practices/record_parts.py); the rest of a
practice is shown in its original language and marked as such.
"""

from markupsafe import Markup

from repository.i18n import direction, gettext
from repository.vocabularies import LANGUAGES


def language_name(code: str) -> str:
    """A language's name in the reader's language ("French", "Französisch"...)."""
    return gettext(LANGUAGES.label_of(code))


def shown(document: dict, reader: str, original: bool = False) -> dict:
    """Title, summary and their language as the reader sees them (the original if asked)."""
    source = document.get("language") or "en"
    translation = (document.get("translations") or {}).get(reader) if source != reader else None
    use = translation is not None and not original
    text = translation if use else document
    lang = reader if use else source
    return {
        "title": text["title"],
        "summary": text.get("summary", ""),
        "lang": lang,
        "dir": direction(lang),
        "translated": use,
        "original": source,
        "original_dir": direction(source),
        "has_translation": translation is not None,
        # Marked up only where it differs from the page: lang="..." dir="..." attributes.
        "attributes": _attributes(lang, reader),
        "original_attributes": _attributes(source, reader),
    }


def _attributes(lang: str, reader: str) -> Markup:
    if lang == reader:
        return Markup("")
    return Markup(' lang="%s" dir="%s"') % (lang, direction(lang))


def reading(document: dict, reader: str, original: bool, page_url: str) -> dict:
    """What the practice page needs to show the text and offer the other version in one click."""
    view = shown(document, reader, original)
    switch = None
    if view["translated"]:
        switch = f"{page_url}?original=1"
    elif view["has_translation"]:
        switch = page_url
    return {
        **view,
        "original_name": language_name(view["original"]),
        "reader_name": language_name(reader),
        "foreign": view["original"] != reader,
        "switch_url": switch,
    }

"""The brief to take away: plain text to paste, a Word document (DOCX) to edit further, and a
PDF to print. All three carry what the page shows: the edited lines, each under its practice's
title, the opening and closing lines, then the written citations with their permalinks."""

import io
from pathlib import Path

from repository.i18n import _

STYLESHEET = Path(__file__).parent.parent / "static" / "site.css"


def _heading(brief: dict) -> str:
    return brief["name"] or _("Intervention brief")


def _timing(brief: dict) -> str:
    return brief["timing"]


def as_text(brief: dict) -> str:
    """Plain text to paste into a speech: the lines to say under their titles, then sources."""
    out = [_heading(brief), _timing(brief), ""]
    if brief["opening"]:
        out += [brief["opening"], ""]
    for n, entry in enumerate(brief["items"], start=1):
        out += [f"{n}. {entry['title']}", entry["spoken"], ""]
    if brief["closing"]:
        out += [brief["closing"], ""]
    out.append(_("Sources"))
    out += [f"[{n}] {i['citation']}" for n, i in enumerate(brief["items"], start=1)]
    return "\n".join(out) + "\n"


def as_docx(brief: dict) -> bytes:
    """A Word document with the same content, titles as headings, permalinks as links."""
    from docx import Document
    from docx.shared import Pt

    document = Document()
    document.core_properties.title = _heading(brief)
    document.add_heading(_heading(brief), level=1)
    document.add_paragraph(_timing(brief)).runs[0].italic = True
    if brief["opening"]:
        document.add_paragraph(brief["opening"])
    for n, entry in enumerate(brief["items"], start=1):
        document.add_heading(f"{n}. {entry['title']}", level=2)
        document.add_paragraph(entry["spoken"])
    if brief["closing"]:
        document.add_paragraph(brief["closing"])
    document.add_heading(_("Sources"), level=2)
    for n, entry in enumerate(brief["items"], start=1):
        paragraph = document.add_paragraph(f"[{n}] {entry['citation'].rsplit(', ', 1)[0]}, ")
        _hyperlink(paragraph, entry["permalink"])
        for run in paragraph.runs:
            run.font.size = Pt(9)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _hyperlink(paragraph, url: str) -> None:
    """A clickable link (python-docx has no public call for one)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    relationship = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), relationship)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:u")
    style.set(qn("w:val"), "single")
    properties.append(style)
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "18")
    properties.append(size)
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = url
    run.append(text)
    link.append(run)
    paragraph._p.append(link)

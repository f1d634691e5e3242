from html.parser import HTMLParser

import pytest

from repository.markup import render_markdown

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD4=)",
    '<a href="https://a.org" onclick="alert(1)">x</a>',
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)">',
    "<style>body{display:none}</style>",
]


class ActiveParts(HTMLParser):
    """Collects whatever in parsed HTML could run or load something."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in {"script", "iframe", "img", "svg", "style", "object", "embed"}:
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(name)
            if name in {"href", "src"} and not (value or "").startswith(
                ("http://", "https://", "mailto:")
            ):
                self.found.append(f"{name}={value}")


def active_parts(html: str) -> list[str]:
    parser = ActiveParts()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_user_markdown_never_yields_active_html(payload):
    assert active_parts(str(render_markdown(payload))) == []


def test_the_checker_itself_sees_active_html():
    found = active_parts('<a href="javascript:x" onclick="y">z</a><script></script>')
    assert sorted(found) == ["href=javascript:x", "onclick", "script"]


def test_markdown_formats_and_links_are_safe():
    html = str(render_markdown("# Big\n\n**bold** and [site](https://example.org)"))
    assert "<h3>Big</h3>" in html
    assert "<strong>bold</strong>" in html
    assert 'rel="noopener noreferrer nofollow"' in html

import re

import pytest

from tests.conftest import add_practices, record, sync


@pytest.fixture
def three(db):
    return add_practices(
        db,
        record(title="Published hotline"),
        record(title="Secret draft", status="draft", pillars=["prosecution"], countries=["KIR"]),
        record(
            title="Awareness in Brazil",
            countries=["BRA"],
            pillars=["prevention"],
            actor_types=["media"],
            start_year=2009,
            end_year=2011,
        ),
    )


def links(html: str) -> list[str]:
    return [href.replace("&amp;", "&") for href in re.findall(r'href="([^"]+)"', html)]


def test_home_shows_counts_latest_and_a_search_box(client, three):
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert 'type="search"' in html
    assert "Published hotline" in html and "Awareness in Brazil" in html
    assert "Secret draft" not in html
    counts = dict(re.findall(r'pillar=(\w+)">[^<]+</a> <span class="count">(\d+)', html))
    assert counts == {"prevention": "1", "protection": "1", "prosecution": "0", "partnership": "0"}
    regions = dict(re.findall(r'region=(\w+)">[^<]+</a> <span class="count">(\d+)', html))
    assert regions["americas"] == "1" and regions["asia"] == "1" and regions["oceania"] == "0"


def test_list_is_newest_first_and_paginated(client, db, settings):
    ids = add_practices(
        db, *[record(title=f"Practice number {i}") for i in range(settings.page_size + 3)]
    )
    first = client.get("/practices")
    assert first.status_code == 200
    titles = re.findall(r'<h2 class="card-title"><a href="/practices/(\d+)"', first.text)
    assert [int(t) for t in titles] == sorted(ids, reverse=True)[: settings.page_size]
    assert "Page 1 of 2" in first.text
    second = client.get("/practices?page=2")
    assert len(re.findall(r'class="card-title"', second.text)) == 3
    assert client.get("/practices?page=3").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=abc",
        "page=99999999999",
        "pillar=unknown",
        "country=ZZZ",
        "pillar=prevention&pillar=protection",
    ],
)
def test_bad_list_parameters_get_a_clear_400(client, three, query):
    response = client.get(f"/practices?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.text


def test_practice_page_shows_every_public_field(client, db):
    (practice_id,) = add_practices(
        db,
        record(
            title="Hotline",
            description="Runs **day and night**.",
            results="Took calls.",
            lessons_learned="Trust matters.",
            end_year=2010,
            last_verified="2026-01-15",
            instruments=["ilo_c29"],
            partner_organisations=["Ministry of Labour"],
        ),
    )
    html = client.get(f"/practices/{practice_id}").text
    for text in (
        "Hotline",
        "<strong>day and night</strong>",
        "Took calls.",
        "Trust matters.",
        "Migrant Workers Support Network",
        "Ministry of Labour",
        "Philippines",
        "Singapore",
        "Protection",
        "NGO / civil society",
        "Forced labour or services",
        "Migrant workers",
        "Victim service",
        "Self-assessed",
        "ILO Forced Labour Convention",
        "2006–2010",
        '<time datetime="2026-01-15">',
        "English",
        "https://example.org/report",
        "Regions (UN M49)",
        "Asia-Pacific Group",
    ):
        assert text in html, text


def test_every_tag_on_a_practice_page_leads_to_a_list_with_that_practice(client, db):
    (practice_id,) = add_practices(db, record(title="Tagged practice"))
    add_practices(
        db,
        record(
            title="Unrelated",
            pillars=["prosecution"],
            actor_types=["media"],
            countries=["BRA"],
            exploitation_forms=[],
            target_groups=["men"],
            instruments=[],
            practice_type="law",
            evidence="not_evaluated",
            language="fr",
        ),
    )
    sync(client.app)
    html = client.get(f"/practices/{practice_id}").text
    tag_links = [href for href in links(html) if href.startswith("/search?")]
    assert len(tag_links) >= 12
    for href in tag_links:
        listing = client.get(href)
        assert listing.status_code == 200, href
        assert "Tagged practice" in listing.text, href
        assert "Unrelated" not in listing.text, href


def test_sources_are_real_links(client, db):
    (practice_id,) = add_practices(db, record())
    html = client.get(f"/practices/{practice_id}").text
    assert (
        '<a href="https://example.org/report" rel="noopener noreferrer nofollow">Annual report</a>'
        in html
    )


def test_unpublished_practices_are_404_everywhere(client, db):
    hidden = add_practices(
        db,
        *[
            record(title=f"Hidden {status}", status=status)
            for status in ("draft", "submitted", "changes_requested", "rejected", "archived")
        ],
    )
    for practice_id in hidden:
        response = client.get(f"/practices/{practice_id}")
        assert response.status_code == 404
        assert "Hidden" not in response.text
    for path in ("/", "/practices", "/practices?pillar=protection", "/practices?country=PHL"):
        assert "Hidden" not in client.get(path).text
    assert "0 published practices" in client.get("/practices").text


@pytest.mark.parametrize(
    "path",
    [
        "/practices/999999",
        "/practices/99999999999999999999",
        "/practices/abc",
        "/nowhere",
        "/practices/-1",
    ],
)
def test_unknown_addresses_get_the_404_page(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Page not found" in response.text
    assert 'href="/"' in response.text


def test_an_unexpected_error_shows_the_500_page_not_a_traceback(client, monkeypatch):
    from repository.practices import queries

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(queries, "count_published", broken)
    response = client.get("/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "database on fire" not in response.text and "Traceback" not in response.text


def test_output_is_escaped(client, db):
    (practice_id,) = add_practices(
        db, record(title="<script>alert(1)</script>", summary="<b>bold</b> & more")
    )
    html = client.get(f"/practices/{practice_id}").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in html


def test_unknown_host_is_refused(client):
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400

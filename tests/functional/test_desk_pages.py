"""What a delegate notices on the search, home and coverage pages: no dead ends, one search
box, an escaped hint, a favicon, an invitation to partners, a map without stray bands."""

import re

import pytest

from repository.coverage import mapsvg
from repository.coverage.views import year_bars
from repository.practices.interchange import import_lines
from tests.conftest import make_user, sample_seed_lines, sign_in, sync


@pytest.fixture
def world(client, db):
    import_lines(db, sample_seed_lines())
    sync(client.app)


def test_years_in_the_wrong_order_are_shown_beside_the_fields_with_the_search_kept(client, world):
    response = client.get("/search?q=labour&pillar=prevention&year_from=2020&year_to=2010")
    assert response.status_code == 400
    html = response.text
    assert 'id="year_from-error"' in html and "is after Started by (2010)" in html
    assert 'aria-describedby="year_from-error"' in html and 'value="2020"' in html
    assert 'value="labour"' in html  # the words are kept
    assert 'id="f-pillar-prevention" name="pillar" value="prevention" checked' in html
    assert "Bad request" not in html and 'class="card"' in html  # results, not an error page
    bad = client.get("/search?q=labour&year_from=20x0").text
    assert "Active since: enter a year from 1900 to 2100" in bad
    # The API reads a reversed range the right way round (its document cannot forbid one).
    api = client.get("/api/search?year_from=2020&year_to=2010").json()
    assert (api["query"]["year_from"], api["query"]["year_to"]) == (2010, 2020)


def test_a_search_with_no_result_offers_help_not_empty_downloads(client, world):
    html = client.get("/search?q=zzyzx+xylophonics&pillar=prosecution").text
    assert "No practice matches" in html
    assert "/search.csv" not in html and "/search.json" not in html
    assert 'class="facets"' not in html and "(0)" not in html
    assert "Clear all filters" in html and "Browse all practices" in html


def test_one_search_box_per_page_and_the_hint_escaped(client, world):
    for path in ("/", "/search?q=shelter"):
        html = client.get(path).text
        assert html.count('role="search"') == 1, path
        assert html.count('type="search"') == 1, path
    assert client.get("/practices").text.count('type="search"') == 1  # the header's
    html = client.get("/search").text
    assert 'placeholder="e.g. labour inspection, &#34;referral mechanism&#34;"' in html


def test_a_favicon_on_every_page(client, world):
    assert client.get("/favicon.ico").headers["content-type"] == "image/x-icon"
    assert '<link rel="icon" href="/static/favicon.svg"' in client.get("/").text
    assert client.get("/static/favicon.svg").status_code == 200


def test_the_home_page_invites_partners_to_submit(client, world, db):
    html = client.get("/").text
    invite = html.split('id="invite-h"', 1)[1].split("</section>", 1)[0]
    assert 'href="/register"' in invite and "Submit a practice" in invite
    make_user(db, "partner@org.example")
    sign_in(client, "partner@org.example")
    invite = client.get("/").text.split('id="invite-h"', 1)[1].split("</section>", 1)[0]
    assert 'href="/submissions/new"' in invite


def test_no_map_shape_spans_the_world():
    """A shape crossing the antimeridian (Russia, Fiji) once drew a band across the map."""
    for code, path in mapsvg.country_paths().items():
        for ring in path.split("M")[1:]:
            xs = [float(p.split(",")[0]) for p in ring.rstrip("Z").split("L")]
            assert max(xs) - min(xs) < mapsvg.WIDTH / 2, code
            assert all(0 <= x <= mapsvg.WIDTH for x in xs), code
    assert mapsvg.country_paths()["RUS"].count("M") > 1  # split, not dropped
    assert mapsvg.split_at_antimeridian([(170, 0), (-170, 0), (-170, 10), (170, 10)]) == [
        [(170, 0), (180, 0.0), (180, 10.0), (170, 10)],
        [(-180, 0.0), (-170, 0), (-170, 10), (-180, 10.0)],
    ]


def test_the_start_year_chart_has_a_value_axis():
    chart = year_bars({2000: 3, 2001: 12, 2005: 7})
    assert [t["value"] for t in chart["ticks"]] == [0, 2, 4, 6, 8, 10, 12]
    assert chart["ticks"][0]["y"] == chart["plot"]["base"]
    tallest = max(chart["bars"], key=lambda b: b["count"])
    assert tallest["y"] == chart["ticks"][-1]["y"]  # the busiest year reaches the top tick
    assert [b["year"] for b in chart["bars"] if b["labelled"]] == [2000, 2005]


def test_the_coverage_legend_and_chart_on_the_page(client, world):
    html = client.get("/coverage").text
    legend = html.split('class="legend"', 1)[1].split("</ul>", 1)[0]
    assert legend.count("<li>") >= 2 and 'viewBox="0 0 24 16"' in legend
    assert re.search(r"</svg> (\d+ to )?\d+ practices?</li>", legend)
    assert 'text-anchor="end">0</text>' in html and ">Practices</text>" in html

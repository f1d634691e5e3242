import pytest

from repository.submissions.privacy import scan


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Contact the victim at maria.lopez@example.org for details", "email"),
        ("Call +44 20 7946 0958 any time", "phone"),
        ("Her number is 0612-345-678.", "phone"),
        ("Ms Amina Bello was rescued", "name"),
        ("a girl named Rosa testified", "name"),
        ("a 15-year-old girl from Lagos was referred", "age_place"),
        ("a boy aged 14 in Manila", "age_place"),
    ],
)
def test_personal_data_in_free_text_is_flagged(text, kind):
    warnings = scan({"description": text})
    assert kind in {w.kind for w in warnings}
    assert all(w.field == "description" for w in warnings)


@pytest.mark.parametrize(
    "text",
    [
        "The programme ran from 2003-2008 in 12 provinces and trained 1,250 officers.",
        "The Ministry of Labour of Brazil leads, with the ILO.",
        "Victims aged 18 and over receive a residence permit.",
        "See https://example.org/report-2009 for the evaluation.",
    ],
)
def test_ordinary_programme_text_raises_no_warning(text):
    assert scan({"description": text, "summary": text}) == []

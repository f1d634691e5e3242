import json

import pytest
from sqlalchemy import func, select

from repository.models import IndexOutbox, Organisation, Practice, PracticeRevision, PracticeTag
from repository.practices.interchange import export_lines, import_lines
from tests.conftest import record, reset_schema, seed_lines


def count(db, model) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def export_text(db, statuses=None) -> str:
    with db.read() as session:
        return "".join(export_lines(session, statuses))


def test_round_trip_of_the_seed_is_exact(db):
    assert not import_lines(db, seed_lines()).errors
    first = export_text(db)
    reset_schema(db)
    assert not import_lines(db, first.splitlines()).errors
    assert export_text(db) == first
    # The second import kept the ids, so permalinks survive a move between installations.
    assert [json.loads(line)["id"] for line in first.splitlines()][:3] == [1, 2, 3]


def test_every_invalid_line_is_reported_and_nothing_is_imported(db):
    lines = [
        json.dumps(record(title="Good one")),
        json.dumps(record(pillars=["persecution"])),
        "{not json",
        "",
        json.dumps(record(countries=["ZZZ"], start_year="1999")),
        json.dumps(["a list"]),
    ]
    report = import_lines(db, lines)
    found = {(e.line, e.field) for e in report.errors}
    assert found == {
        (2, "pillars"),
        (3, "(line)"),
        (5, "countries"),
        (5, "start_year"),
        (6, "(line)"),
    }
    assert "persecution" in next(e.reason for e in report.errors if e.line == 2)
    assert report.imported == 0
    for model in (Practice, Organisation, PracticeTag, PracticeRevision, IndexOutbox):
        assert count(db, model) == 0, model


def test_invalid_utf8_and_repeated_ids_are_reported(db):
    lines = [
        json.dumps(record(id=5)).encode(),
        b'{"title": "\xff\xfe"}',
        json.dumps(record(id=5)).encode(),
    ]
    report = import_lines(db, lines)
    assert {(e.line, e.field) for e in report.errors} == {(2, "(line)"), (3, "id")}
    assert count(db, Practice) == 0


def test_skip_invalid_imports_the_good_lines(db):
    report = import_lines(
        db, [json.dumps(record()), "[]", json.dumps(record(title="Second"))], skip_invalid=True
    )
    assert (report.imported, report.skipped) == (2, 1)
    assert count(db, Practice) == 2


def test_a_failure_half_way_leaves_nothing_behind(db, monkeypatch):
    from repository.practices import services

    calls = {"n": 0}
    original = services.save_practice

    def failing(session, clean, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("disk full")
        return original(session, clean, **kwargs)

    monkeypatch.setattr(services, "save_practice", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        import_lines(db, [json.dumps(record(title=f"P{i}")) for i in range(5)])
    assert count(db, Practice) == 0
    assert count(db, Organisation) == 0


def test_import_with_an_existing_id_updates_that_practice(db):
    import_lines(db, [json.dumps(record(id=10, title="Old title"))])
    import_lines(db, [json.dumps(record(id=10, title="New title", pillars=["prevention"]))])
    exported = [json.loads(line) for line in export_text(db).splitlines()]
    assert len(exported) == 1
    assert exported[0]["title"] == "New title" and exported[0]["pillars"] == ["prevention"]
    assert count(db, PracticeRevision) == 2
    # A new practice after explicit ids gets a fresh id, not a clash (PostgreSQL sequences).
    import_lines(db, [json.dumps(record(title="No id"))])
    assert count(db, Practice) == 2


def test_export_filters_by_status(db):
    import_lines(db, [json.dumps(record(status="draft")), json.dumps(record(title="Pub"))])
    published = [json.loads(line) for line in export_text(db, ["published"]).splitlines()]
    assert [p["title"] for p in published] == ["Pub"]
    assert len(export_text(db).splitlines()) == 2


def test_publishing_on_import_queues_an_index_change_and_a_draft_does_not(db):
    import_lines(db, [json.dumps(record(status="draft")), json.dumps(record(title="Pub"))])
    assert count(db, IndexOutbox) == 1

"""The outbox stays small: entries every live node applied are pruned after the retention period,
a node away too long rebuilds rather than missing changes, and /readyz shows every node's lag."""

from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from repository import outbox
from repository.cli import main
from repository.indexing import IndexSync
from repository.models import IndexOutbox, utcnow
from repository.practices import services
from search import SearchIndex, SearchParams
from tests.conftest import add_practices, record

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@pytest.fixture
def node(db, tmp_path):
    """A node: its own index directory on the shared database."""
    opened = []

    def make(name):
        sync = IndexSync(db, SearchIndex(tmp_path / name))
        sync.repair()
        opened.append(sync.index)
        return sync

    yield make
    for index in opened:
        index.close()


def outbox_seqs(db) -> list[int]:
    with db.read() as session:
        return list(session.scalars(select(IndexOutbox.seq).order_by(IndexOutbox.seq)))


def found(sync) -> set[int]:
    return set(sync.index.search(SearchParams(per_page=100)).ids)


def test_entries_are_pruned_only_once_every_live_node_applied_them(db, node):
    first, second = node("first"), node("second")
    ids = add_practices(db, *[record(title=f"Hotline {i}") for i in range(4)])
    first.catch_up()
    outbox.record_position(db, "first", first.index.applied_seq())
    outbox.record_position(db, "second", second.index.applied_seq())  # has applied nothing
    assert outbox.prune(db, retention=timedelta(0), node_timeout=DAY) == 0
    assert len(outbox_seqs(db)) == 4

    second.catch_up()
    outbox.record_position(db, "second", second.index.applied_seq())
    (fifth,) = add_practices(db, record(title="Shelter five"))  # applied by neither node yet
    assert outbox.prune(db, retention=timedelta(0), node_timeout=DAY) == 4
    assert len(outbox_seqs(db)) == 1
    first.catch_up()
    second.catch_up()
    assert found(first) == found(second) == {*ids, fifth}


def test_recent_entries_are_kept_for_the_retention_period(db, node):
    only = node("only")
    add_practices(db, record(title="Hotline"), record(title="Shelter"))
    only.catch_up()
    outbox.record_position(db, "only", only.index.applied_seq())
    assert outbox.prune(db, retention=timedelta(days=7), node_timeout=DAY) == 0
    assert len(outbox_seqs(db)) == 2
    in_eight_days = utcnow() + timedelta(days=8)
    outbox.record_position(db, "only", only.index.applied_seq(), now=in_eight_days)
    assert outbox.prune(db, timedelta(days=7), DAY, now=in_eight_days) == 2
    assert outbox_seqs(db) == []


def test_a_node_away_too_long_is_not_waited_for_and_rebuilds_when_back(db, node):
    away, here = node("away"), node("here")
    kept, dropped = add_practices(db, record(title="Kept hotline"), record(title="Dropped shelter"))
    away.catch_up()
    here.catch_up()
    long_ago = utcnow() - timedelta(hours=30)
    outbox.record_position(db, "away", away.index.applied_seq(), now=long_ago)
    # While "away" is gone: one practice is deleted, one added.
    with db.write() as session:
        services.delete_practice(session, dropped)
    (added,) = add_practices(db, record(title="Added while away"))
    here.catch_up()
    outbox.record_position(db, "here", here.index.applied_seq())

    # Waiting for "away" would keep every entry; it is past the timeout, so they go.
    assert outbox.prune(db, retention=timedelta(0), node_timeout=DAY) == 4
    assert outbox_seqs(db) == []
    # Back, "away" cannot catch up through the pruned entries: it rebuilds, and the deleted
    # practice is not left in its index.
    away.catch_up()
    assert found(away) == {kept, added} == found(here)
    assert not away.drift()


def test_a_node_seen_lately_holds_pruning_back(db, node):
    behind = node("behind")
    add_practices(db, record(title="Hotline"))
    outbox.record_position(db, "behind", behind.index.applied_seq(), now=utcnow() - HOUR)
    assert outbox.prune(db, retention=timedelta(0), node_timeout=DAY) == 0
    assert len(outbox_seqs(db)) == 1


def test_readyz_reports_this_nodes_lag_and_every_nodes_position(client, app, db):
    add_practices(db, record(title="Hotline"), record(title="Shelter"))
    app.state.index_sync.catch_up()
    outbox.record_position(db, "node-b", 1, now=utcnow() - timedelta(hours=30))
    add_practices(db, record(title="Training"))  # not applied here yet
    body = client.get("/readyz").json()
    report = body["outbox"]
    assert report["node"] == app.state.node_name
    assert report["position"] == 2
    assert report["behind"]["entries"] == 1 and report["behind"]["seconds"] >= 0
    nodes = {n["name"]: n for n in report["nodes"]}
    assert nodes["node-b"]["position"] == 1 and nodes["node-b"]["waited_for"] is False
    assert nodes[app.state.node_name]["waited_for"] is True  # recorded at start-up

    app.state.index_sync.catch_up()
    assert client.get("/readyz").json()["outbox"]["behind"] == {"entries": 0, "seconds": 0.0}


def test_the_command_prunes_applied_entries(db, node, monkeypatch, database_url):
    only = node("only")
    add_practices(db, record(title="Hotline"))
    only.catch_up()
    outbox.record_position(db, "only", only.index.applied_seq())
    monkeypatch.setenv("PRACTICES_DATABASE_URL", database_url)
    monkeypatch.setenv("PRACTICES_OUTBOX_RETENTION_DAYS", "0")
    result = CliRunner().invoke(main, ["prune-outbox"])
    assert result.exit_code == 0, result.output
    assert "pruned 1 applied outbox entries" in result.output
    assert outbox_seqs(db) == []


def test_a_bad_retention_setting_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("PRACTICES_OUTBOX_RETENTION_DAYS", "a week")
    result = CliRunner().invoke(main, ["prune-outbox"])
    assert result.exit_code != 0
    assert "PRACTICES_OUTBOX_RETENTION_DAYS must be a number" in result.output


def test_a_nodes_name_is_set_or_shows_its_host_but_not_its_directory(settings):
    import socket

    from repository.settings import Settings

    name = settings.index_node_name
    assert name.startswith(socket.gethostname()) and str(settings.index_dir) not in name
    assert Settings.from_env({"PRACTICES_NODE_NAME": "node-a"}).index_node_name == "node-a"

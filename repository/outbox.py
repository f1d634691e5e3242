"""Housekeeping of the index outbox that every app node reads: where each node's index stands,
and pruning the entries that every live node has applied.

Each node (one index directory, however many workers use it) records its position, the last
outbox entry its index applied, every few seconds. Applied entries are pruned once they are older
than the retention period and at or below every live node's position. A node not seen for longer
than the node timeout is not waited for; pruning records how far it went, so such a node, when it
comes back, rebuilds its index from the database instead of catching up past a hole
(repository/indexing.py).

Times are the nodes' own clocks (UTC): keep them in step (NTP), as for the sessions' expiry.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from repository.db import Database
from repository.models import IndexNode, IndexOutbox, OutboxPruning, utcnow

PRUNING_ROW = 1


@dataclass(frozen=True)
class NodePosition:
    name: str
    position: int
    seen_at: datetime

    def to_dict(self, now: datetime, timeout: timedelta) -> dict:
        return {
            "name": self.name,
            "position": self.position,
            "seen_seconds_ago": round((now - self.seen_at).total_seconds(), 1),
            "waited_for": now - self.seen_at <= timeout,
        }


def record_position(db: Database, name: str, position: int, now: datetime | None = None) -> None:
    """Note that node `name` is alive and its index has applied entries up to `position`."""
    now = now or utcnow()
    with db.write() as session:
        changed = session.execute(
            update(IndexNode)
            .where(IndexNode.name == name)
            .values(position=position, seen_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            return
    try:
        with db.write() as session:
            session.add(IndexNode(name=name, position=position, seen_at=now))
    except IntegrityError:
        # Another worker of the same node inserted it first: its row is as good as ours.
        record_position(db, name, position, now)


def positions(db: Database) -> list[NodePosition]:
    with db.read() as session:
        rows = session.execute(
            select(IndexNode.name, IndexNode.position, IndexNode.seen_at).order_by(IndexNode.name)
        ).all()
    return [NodePosition(*row) for row in rows]


def pruned_through(session) -> int:
    """The last outbox entry pruned (0 when none was); takes an open session, so that
    catch-up reads it after its entries, in the same transaction on SQLite."""
    return (
        session.scalar(select(OutboxPruning.pruned_through).where(OutboxPruning.id == PRUNING_ROW))
        or 0
    )


def prune(
    db: Database, retention: timedelta, node_timeout: timedelta, now: datetime | None = None
) -> int:
    """Delete entries older than `retention` that every node seen within `node_timeout` has
    applied; return how many."""
    now = now or utcnow()
    try:
        return _prune(db, retention, node_timeout, now)
    except IntegrityError:
        return 0  # another node wrote the first marker at the same moment; it pruned instead


def _prune(db: Database, retention: timedelta, node_timeout: timedelta, now: datetime) -> int:
    with db.write() as session:
        # Taking the row first makes two nodes pruning at once wait for each other.
        marker = session.get(OutboxPruning, PRUNING_ROW, with_for_update=True)
        live = select(func.min(IndexNode.position)).where(IndexNode.seen_at >= now - node_timeout)
        bound = session.scalar(live)
        if bound is None:  # no live node: nobody to wait for
            bound = session.scalar(select(func.coalesce(func.max(IndexOutbox.seq), 0)))
        last = session.scalar(
            select(func.max(IndexOutbox.seq)).where(
                IndexOutbox.seq <= bound, IndexOutbox.created_at < now - retention
            )
        )
        if last is None:
            return 0
        deleted = session.execute(
            delete(IndexOutbox)
            .where(IndexOutbox.seq <= last)
            .execution_options(synchronize_session=False)
        ).rowcount
        if marker is None:
            session.add(OutboxPruning(id=PRUNING_ROW, pruned_through=last, pruned_at=now))
        else:
            marker.pruned_through = max(marker.pruned_through, last)
            marker.pruned_at = now
        return deleted


def lag(db: Database, applied: int, now: datetime | None = None) -> dict:
    """How far an index at `applied` trails the outbox: entries, and seconds since the oldest
    entry it has not applied was written."""
    now = now or utcnow()
    with db.read() as session:
        count, oldest = session.execute(
            select(func.count(), func.min(IndexOutbox.created_at)).where(IndexOutbox.seq > applied)
        ).one()
    seconds = max((now - oldest).total_seconds(), 0.0) if oldest else 0.0
    return {"entries": count, "seconds": round(seconds, 1)}

"""The audit log: who did what, without passwords, tokens or practice bodies."""

from sqlalchemy.orm import Session

from repository.models import AuditEntry, User


def record(
    session: Session,
    action: str,
    actor: User | None = None,
    target: str = "",
    address: str = "",
    **detail,
) -> None:
    session.add(
        AuditEntry(
            action=action,
            actor_id=actor.id if actor else None,
            target=target[:100],
            address=address[:64],
            detail={k: v for k, v in detail.items() if v is not None},
        )
    )

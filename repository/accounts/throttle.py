"""Slowing down password guessing without letting anyone lock an account out.

Failures are counted per address, per account and per (account, address) pair, in windows of a
quarter of an hour. What is refused:

- an address after MAX_FAILURES_PER_ADDRESS failures (it can only lock itself out);
- a pair whose wait since its last failure is not over: none for its first FREE_FAILURES, then
  1, 2, 4, 8 ... seconds. When the account fails from many addresses at once (an attack on it),
  an address it was never signed in from gets one free try instead of three.

The account's own count never refuses on its own: five wrong passwords from anywhere once kept
its owner out for good. Its owner, trying from an address of their own, starts with a free try.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from repository.accounts import limits
from repository.models import AuditEntry, User, utcnow

WINDOW = 15 * 60
MAX_FAILURES_PER_ADDRESS = 20
FREE_FAILURES = 3
ACCOUNT_UNDER_ATTACK = 10
MAX_WAIT = WINDOW
KNOWN_ADDRESS_DAYS = 90


class TooManyAttempts(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = retry_after


def required_wait(pair_failures: int, account_failures: int, known_address: bool) -> int:
    """Seconds a pair must wait after its last failure before its next try."""
    free = FREE_FAILURES if known_address or account_failures < ACCOUNT_UNDER_ATTACK else 1
    if pair_failures < free:
        return 0
    return min(2 ** (pair_failures - free), MAX_WAIT)


@dataclass(frozen=True)
class Keys:
    account: str
    address: str
    pair: str

    @classmethod
    def of(cls, email: str, address: str) -> "Keys":
        return cls(
            f"signin:account:{email}", f"signin:address:{address}", f"signin:pair:{email}|{address}"
        )


def _known_address(session: Session, user: User | None, address: str) -> bool:
    """The account was signed in from this address lately (the audit log keeps sign-ins)."""
    if user is None or not address:
        return False
    since = utcnow() - timedelta(days=KNOWN_ADDRESS_DAYS)
    return (
        session.scalar(
            select(AuditEntry.id)
            .where(
                AuditEntry.action == "signin",
                AuditEntry.actor_id == user.id,
                AuditEntry.address == address[:64],
                AuditEntry.at >= since,
            )
            .limit(1)
        )
        is not None
    )


def check(session: Session, keys: Keys, user: User | None, address: str) -> None:
    """Raise TooManyAttempts if this address, or this address on this account, must wait."""
    if limits.count(session, keys.address, WINDOW) >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyAttempts(limits.retry_after(WINDOW))
    pair_failures, last = limits.state(session, keys.pair, WINDOW)
    if not pair_failures:
        return
    account_failures = limits.count(session, keys.account, WINDOW)
    known = account_failures >= ACCOUNT_UNDER_ATTACK and _known_address(session, user, address)
    wait = required_wait(pair_failures, account_failures, known)
    remaining = last + wait - time.time()
    if remaining > 0:
        raise TooManyAttempts(int(remaining) + 1)


def failed(session: Session, keys: Keys) -> None:
    for key in (keys.account, keys.address, keys.pair):
        limits.hit(session, key, WINDOW)

"""Joining by invite: an admin makes a one-time code, the officer opens it, the bot binds them.

Officers listed in the config without a Telegram id cannot be reached until they join.
The code travels in a deep link (`t.me/<bot>?start=<code>`), so it is a bearer secret:
128 random bits, stored only as its SHA-256, usable once, expiring, and guesses are
rate-limited per Telegram account. Every invite made and used is in the audit trail.

The pure rules (hashing, expiry, the rate limit, paging) are plain functions tested in
microseconds; `Invitations` applies them in one transaction each, with no Telegram in
sight: the handler renders and delivers.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from bot.config import Officer
from bot.config.fields import Fields, whole_number
from bot.core.clock import Clock
from bot.core.people import Directory, admin_key
from bot.core.workflow import AuditEvent
from bot.documents.verification import START_PREFIX
from bot.services.outbox import enqueue, language_of
from bot.views.i18n import Catalogue
from bot.views.outgoing import Outgoing, Send
from storage.db import Database
from storage.invites import Invite, Invites
from storage.uow import Tx, reading, unit_of_work

CODE_BYTES: Final = 16  # 128 bits: guessing is hopeless even without the rate limit
MAX_EXPIRY_HOURS: Final = 720
MAX_FAILED_ATTEMPTS_LIMIT: Final = 100
_KEYS: Final = ("expiry_hours", "max_failed_attempts")


# -- the pure rules -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InvitePolicy:
    """`[invites]` in the config: how long a link lives, how many wrong codes are let by."""

    expiry: timedelta = timedelta(hours=72)
    max_failed_attempts: int = 5
    attempt_window: timedelta = timedelta(hours=1)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> tuple[InvitePolicy | None, list[str]]:
        """Read `[invites]`; one message per mistake, naming the key and what was expected."""
        fields = Fields()
        fields.unknown_keys(data, "invites", _KEYS)
        errors = fields.errors
        values: dict[str, Any] = {}
        hours = _read_count(data, "expiry_hours", MAX_EXPIRY_HOURS, "hours", errors)
        if hours is not None:
            values["expiry"] = timedelta(hours=hours)
        attempts = _read_count(
            data, "max_failed_attempts", MAX_FAILED_ATTEMPTS_LIMIT, "attempts", errors
        )
        if attempts is not None:
            values["max_failed_attempts"] = attempts
        if errors:
            return None, errors
        return cls(**values), []

    def expires_at(self, now: datetime) -> datetime:
        return now + self.expiry


def _read_count(
    data: Mapping[str, Any], key: str, maximum: int, unit: str, errors: list[str]
) -> int | None:
    if key not in data:
        return None
    value = whole_number(data[key], 1, maximum)
    if value is None:
        errors.append(
            f"invites.{key}: expected a whole number of {unit} from 1 to {maximum}, "
            f"got {data[key]!r}"
        )
    return value


def new_code() -> str:
    """A fresh invite code, valid as a deep-link payload (22 of A-Z a-z 0-9 _ -).

    Never one starting "v_": that start payload is a document verification.
    """
    while (code := secrets.token_urlsafe(CODE_BYTES)).startswith(START_PREFIX):
        pass
    return code


def hash_code(code: str) -> str:
    """What the database keeps instead of the code."""
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


class InviteStatus(enum.StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


def invite_status(invite: Invite | None, now: datetime) -> InviteStatus:
    """Used beats expired: telling someone a used link "expired" sends them to retry it."""
    if invite is None:
        return InviteStatus.UNKNOWN
    if invite.used_at is not None:
        return InviteStatus.USED
    if now >= invite.expires_at:
        return InviteStatus.EXPIRED
    return InviteStatus.VALID


def next_attempt_at(
    failures: Sequence[datetime], now: datetime, policy: InvitePolicy
) -> datetime | None:
    """None if the account may try a code now; otherwise when it may try again.

    Only failures inside the window count. With `max` allowed, the account is free again
    once enough old failures have left the window that fewer than `max` remain.
    """
    recent = sorted(f for f in failures if f > now - policy.attempt_window)
    if len(recent) < policy.max_failed_attempts:
        return None
    return recent[len(recent) - policy.max_failed_attempts] + policy.attempt_window


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # from 0
    count: int  # how many pages (at least 1)
    start: int
    stop: int

    @property
    def has_previous(self) -> bool:
        return self.number > 0

    @property
    def has_next(self) -> bool:
        return self.number < self.count - 1


def page_of(total: int, number: int, size: int) -> Page:
    """The slice of a list shown on page `number`; a page past the end shows the last one."""
    count = max(1, -(-total // size))
    number = min(max(number, 0), count - 1)
    start = number * size
    return Page(number, count, start, min(start + size, total))


# -- applying them --------------------------------------------------------------------------


class NotAllowed(Exception):
    """Only admins make invites."""


class UnknownOfficer(Exception):
    """The officer is not (or no longer) in the config."""


@dataclass(frozen=True, slots=True)
class IssuedInvite:
    code: str  # shown once, to the admin; never stored
    officer_key: str
    expires_at: datetime


class Outcome(enum.StrEnum):
    JOINED = "joined"
    ALREADY_LINKED = "already_linked"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    TOO_MANY_ATTEMPTS = "too_many_attempts"


@dataclass(frozen=True, slots=True)
class Redemption:
    outcome: Outcome
    officer_key: str | None = None  # who joined, or who the account already belongs to
    retry_at: datetime | None = None  # for TOO_MANY_ATTEMPTS
    missed: int = 0  # messages queued again for the officer who joined


@dataclass(frozen=True, slots=True)
class Candidate:
    officer: Officer
    joined: bool  # a Telegram account is known for them (configured or bound)


class Invitations:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        directory: Directory,
        catalogue: Catalogue,
        policy: InvitePolicy,
        agency: str = "default",
    ) -> None:
        self.db = db
        self.clock = clock
        self.directory = directory
        self.catalogue = catalogue
        self.policy = policy
        self.agency = agency

    async def candidates(self) -> list[Candidate]:
        """Every officer in config order, marked if they can already be reached.

        Joined officers stay in the list: someone who changed phones needs a new invite.
        """
        async with reading(self.db, self.agency) as tx:
            bound = {a.officer_key for a in await tx.accounts.all() if a.telegram_id is not None}
        return [
            Candidate(o, o.telegram_id is not None or o.key in bound)
            for o in self.directory.in_order()
        ]

    async def create(self, admin: str, officer_key: str) -> IssuedInvite:
        if not self.directory.is_admin(admin):
            raise NotAllowed(admin)
        if self.directory.get(officer_key) is None:
            raise UnknownOfficer(officer_key)
        now = self.clock.now()
        code = new_code()
        code_hash = hash_code(code)
        expires_at = self.policy.expires_at(now)
        async with unit_of_work(self.db, self.agency) as tx:
            await Invites(tx.conn, self.agency).add(code_hash, officer_key, admin, now, expires_at)
            data = {"officer": officer_key, "invite": code_hash[:12], "expires_at": expires_at}
            event = _event(now, admin, "invite_created", "", "invited", data)
            await tx.audit.append(None, [event])
        return IssuedInvite(code, officer_key, expires_at)

    async def redeem(self, telegram_id: int, code: str) -> Redemption:
        """Bind `telegram_id` to the invite's officer, if the code is good and not rate-limited.

        An account already known is told so and the code stays unused. Wrong, used and
        expired codes count as failures; past the limit no code is even looked at.
        """
        now = self.clock.now()
        async with unit_of_work(self.db, self.agency) as tx:
            linked = await self._linked_officer(tx, telegram_id)
            if linked is not None:
                return Redemption(Outcome.ALREADY_LINKED, linked)
            invites = Invites(tx.conn, self.agency)
            await invites.forget_failures_before(now - self.policy.attempt_window)
            failures = await invites.failures_since(telegram_id, now - self.policy.attempt_window)
            retry_at = next_attempt_at(failures, now, self.policy)
            if retry_at is not None:
                return Redemption(Outcome.TOO_MANY_ATTEMPTS, retry_at=retry_at)
            code_hash = hash_code(code)
            invite = await invites.get(code_hash)
            status = invite_status(invite, now)
            if invite is not None and self.directory.get(invite.officer_key) is None:
                status = InviteStatus.UNKNOWN  # the officer left the config meanwhile
            if invite is None or status is not InviteStatus.VALID:
                await invites.record_failure(telegram_id, now)
                return Redemption(Outcome(status.value))
            if not await invites.use(code_hash, telegram_id, now):
                await invites.record_failure(telegram_id, now)
                return Redemption(Outcome.USED)
            missed = await self._join(tx, invites, invite, telegram_id, now)
        return Redemption(Outcome.JOINED, invite.officer_key, missed=missed)

    async def catch_up(self, officer_key: str) -> int:
        """An officer pressed Start: queue again what could not reach them before."""
        async with unit_of_work(self.db, self.agency) as tx:
            return await tx.outbox.requeue_failed_for(officer_key)

    async def _linked_officer(self, tx: Tx, telegram_id: int) -> str | None:
        bound = await tx.accounts.officer_for(telegram_id)
        if bound is not None:
            return bound
        configured = self.directory.by_telegram_id(telegram_id)
        if configured is not None:
            return configured.key
        if self.directory.is_admin_telegram_id(telegram_id):
            return admin_key(telegram_id)
        return None

    async def _join(
        self, tx: Tx, invites: Invites, invite: Invite, telegram_id: int, now: datetime
    ) -> int:
        officer = invite.officer_key
        others = await invites.open_for(officer, now)
        await invites.expire_open_for(officer, now)
        await tx.accounts.bind(officer, telegram_id, now)
        missed = await tx.outbox.requeue_failed_for(officer)
        data = {
            "invite": invite.code_hash[:12],
            "telegram_id": telegram_id,
            "invited_by": invite.created_by,
        }
        await tx.audit.append(
            None, [_event(now, officer, "invite_used", "invited", "joined", data)]
        )
        inviters = dict.fromkeys([invite.created_by, *(o.created_by for o in others)])
        for admin in inviters:
            if admin != officer:
                await self._tell_admin(tx, admin, officer, now)
        return missed

    async def _tell_admin(self, tx: Tx, admin: str, officer_key: str, now: datetime) -> None:
        lang = await language_of(tx, self.directory, admin)
        officer = self.directory.get(officer_key)
        text = self.catalogue.text(
            lang,
            "onboarding.invite.joined_notice",
            name=self.directory.name(officer_key),
            jabatan=officer.jabatan if officer else "",
        )
        await enqueue(tx, Outgoing(officer_key=admin, message=Send(text)), now)


def _event(
    at: datetime, actor: str, action: str, before: str, after: str, data: Mapping[str, Any]
) -> AuditEvent:
    """Invites belong to no case: no step, round 0."""
    return AuditEvent(
        at=at,
        actor=actor,
        action=action,
        step_key="",
        round=0,
        task_seq=None,
        from_state=before,
        to_state=after,
        data=dict(data),
    )

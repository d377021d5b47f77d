"""The pure rules of invites: codes and their hashes, expiry, the rate limit, paging."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import tomllib
from datetime import UTC, datetime, timedelta

import pytest
from telegram.helpers import create_deep_linked_url

from bot.config import parse_config
from bot.core.sop_loader import load_sops
from bot.runtime import Runtime, StartupError
from bot.services.invites import (
    InvitePolicy,
    InviteStatus,
    hash_code,
    invite_status,
    new_code,
    next_attempt_at,
    page_of,
)
from bot.views.callbacks import (
    INVITE_PAGE_PATTERN,
    INVITE_PICK_PATTERN,
    invite_page_callback,
    invite_pick_callback,
    language_callback,
)
from demo.stage import DEMO_CONFIG, STAGE_TOKEN
from storage.invites import Invite

NOW = datetime(2026, 7, 6, 1, 0, tzinfo=UTC)


def invite(
    expires_at: datetime = NOW + timedelta(hours=72), used_at: datetime | None = None
) -> Invite:
    return Invite(
        code_hash=hash_code("x"),
        officer_key="kadin",
        created_by="sekretaris",
        created_at=NOW,
        expires_at=expires_at,
        used_at=used_at,
        used_by=5001 if used_at else None,
    )


# -- codes ---------------------------------------------------------------------------------


def test_a_code_carries_128_random_bits_and_fits_a_deep_link() -> None:
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert len(base64.urlsafe_b64decode(code + "==")) == 16
        url = create_deep_linked_url("sop_test_bot", code)
        assert url == f"https://t.me/sop_test_bot?start={code}"


def test_only_the_sha256_of_a_code_is_kept() -> None:
    code = "Zm9vYmFyYmF6cXV4cXV1eA"
    assert hash_code(code) == hashlib.sha256(code.encode()).hexdigest()
    assert code not in hash_code(code)
    assert hash_code(code) != hash_code(code[:-1] + "B")


# -- status -----------------------------------------------------------------------------


def test_an_invite_is_valid_until_the_instant_it_expires() -> None:
    expires = NOW + timedelta(hours=72)
    assert invite_status(invite(expires), expires - timedelta(seconds=1)) is InviteStatus.VALID
    assert invite_status(invite(expires), expires) is InviteStatus.EXPIRED
    assert invite_status(None, NOW) is InviteStatus.UNKNOWN


def test_a_used_invite_says_used_even_after_it_expired() -> None:
    used = invite(used_at=NOW + timedelta(hours=1))
    assert invite_status(used, NOW + timedelta(hours=2)) is InviteStatus.USED
    assert invite_status(used, NOW + timedelta(days=30)) is InviteStatus.USED


# -- the rate limit ---------------------------------------------------------------------


def test_four_failures_in_the_hour_still_allow_a_try() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert next_attempt_at(failures, NOW, InvitePolicy()) is None


def test_the_fifth_failure_blocks_until_the_oldest_leaves_the_hour() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (50, 40, 30, 20, 10)]
    assert next_attempt_at(failures, NOW, InvitePolicy()) == NOW + timedelta(minutes=10)


def test_with_more_failures_than_allowed_the_block_lasts_until_enough_have_left() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (55, 50, 40, 30, 20, 10, 5)]
    # Seven in the hour, five allowed: free once three have left, at the third oldest + 1 h.
    assert next_attempt_at(failures, NOW, InvitePolicy()) == NOW + timedelta(minutes=20)


def test_failures_older_than_the_window_do_not_count() -> None:
    failures = [NOW - timedelta(minutes=m) for m in (61, 70, 80, 90, 100, 5)]
    assert next_attempt_at(failures, NOW, InvitePolicy()) is None
    exactly_an_hour_ago = [NOW - timedelta(hours=1)] * 5
    assert next_attempt_at(exactly_an_hour_ago, NOW, InvitePolicy()) is None


def test_the_limit_follows_the_policy() -> None:
    failures = [NOW - timedelta(minutes=1)]
    policy = InvitePolicy(max_failed_attempts=1)
    assert next_attempt_at(failures, NOW, policy) == NOW + timedelta(minutes=59)


# -- configuration ----------------------------------------------------------------------


def test_the_defaults_are_72_hours_and_5_attempts() -> None:
    policy, errors = InvitePolicy.from_mapping({})
    assert errors == []
    assert policy == InvitePolicy(timedelta(hours=72), 5, timedelta(hours=1))
    assert policy.expires_at(NOW) == NOW + timedelta(hours=72)


def test_configured_values_are_used() -> None:
    policy, errors = InvitePolicy.from_mapping({"expiry_hours": 24, "max_failed_attempts": 3})
    assert errors == []
    assert policy == InvitePolicy(expiry=timedelta(hours=24), max_failed_attempts=3)


@pytest.mark.parametrize(
    ("table", "error"),
    [
        (
            {"expiry_hours": 0},
            "invites.expiry_hours: expected a whole number of hours from 1 to 720, got 0",
        ),
        (
            {"expiry_hours": "72"},
            "invites.expiry_hours: expected a whole number of hours from 1 to 720, got '72'",
        ),
        (
            {"expiry_hours": 1.5},
            "invites.expiry_hours: expected a whole number of hours from 1 to 720, got 1.5",
        ),
        (
            {"expiry_hours": True},
            "invites.expiry_hours: expected a whole number of hours from 1 to 720, got True",
        ),
        (
            {"expiry_hours": 721},
            "invites.expiry_hours: expected a whole number of hours from 1 to 720, got 721",
        ),
        (
            {"max_failed_attempts": -1},
            "invites.max_failed_attempts: expected a whole number of attempts from 1 to 100, "
            "got -1",
        ),
        (
            {"expiry_days": 3},
            "invites.expiry_days: unknown key; did you mean 'expiry_hours'?",
        ),
    ],
)
def test_each_bad_value_is_reported_with_its_key(table: dict[str, object], error: str) -> None:
    policy, errors = InvitePolicy.from_mapping(table)
    assert policy is None
    assert errors == [error]


def test_a_bad_invites_table_stops_the_bot_at_start() -> None:
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    for placeholder, value in (
        ("@TOKEN@", STAGE_TOKEN),
        ("@BASE_URL@", "http://127.0.0.1:1/bot"),
        ("@BASE_FILE_URL@", "http://127.0.0.1:1/file/bot"),
    ):
        text = text.replace(placeholder, value)
    config = parse_config(tomllib.loads(text), env={}, source=str(DEMO_CONFIG))
    config = dataclasses.replace(config, invites={"expiry_hours": 0, "max_failed_attempts": 0})
    with pytest.raises(StartupError) as raised:
        Runtime.build(config, dict(load_sops(config.sops)), _Clock())
    assert raised.value.problems == [
        "invites.expiry_hours: expected a whole number of hours from 1 to 720, got 0",
        "invites.max_failed_attempts: expected a whole number of attempts from 1 to 100, got 0",
    ]


class _Clock:
    def now(self) -> datetime:
        return NOW


# -- paging and buttons -----------------------------------------------------------------


def test_ten_officers_make_two_pages_of_eight() -> None:
    first = page_of(10, 0, 8)
    assert (first.start, first.stop, first.count) == (0, 8, 2)
    assert first.has_next and not first.has_previous
    second = page_of(10, 1, 8)
    assert (second.start, second.stop) == (8, 10)
    assert second.has_previous and not second.has_next


def test_a_page_out_of_range_shows_the_nearest_one() -> None:
    assert page_of(10, 7, 8).number == 1
    assert page_of(10, -3, 8).number == 0
    empty = page_of(0, 0, 8)
    assert (empty.number, empty.count, empty.start, empty.stop) == (0, 1, 0, 0)


def test_button_data_stays_short_ascii_and_parses_back() -> None:
    longest_key = "a" * 40  # the config allows keys of up to 40 characters
    data = invite_pick_callback(longest_key)
    assert data.isascii() and len(data.encode()) <= 64
    match = INVITE_PICK_PATTERN.match(data)
    assert match is not None and match.group(1) == longest_key
    page = INVITE_PAGE_PATTERN.match(invite_page_callback(12))
    assert page is not None and page.group(1) == "12"
    assert language_callback("en") == "lang:en"
    assert INVITE_PICK_PATTERN.match("inv:o:kadin:extra") is None
    assert INVITE_PICK_PATTERN.match("inv:o:Kadin") is None
    assert INVITE_PAGE_PATTERN.match("inv:p:1x") is None

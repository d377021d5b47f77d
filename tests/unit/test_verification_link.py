"""The QR's deep link, its `/start` payload, and the limit on strangers' lookups."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.core.ratelimit import SlidingWindow
from bot.documents import code_of_start_payload, verification_link
from bot.services.invites import new_code


def test_the_link_carries_the_code_as_a_valid_start_payload() -> None:
    link = verification_link("DinkesSukamajuBot", "ABCD-EFGH-JK")
    assert link == "https://t.me/DinkesSukamajuBot?start=v_ABCDEFGHJK"
    payload = link.split("?start=")[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
    assert code_of_start_payload(payload) == "ABCD-EFGH-JK"


@pytest.mark.parametrize("payload", ["ABCDEFGHJK", "v_", "v_ABC", "v_ABCDEFGHJKL", "inviteX"])
def test_other_payloads_are_no_verification(payload: str) -> None:
    assert code_of_start_payload(payload) is None


def test_a_bad_username_is_refused() -> None:
    with pytest.raises(ValueError):
        verification_link("t.me/evil?x=", "ABCD-EFGH-JK")


def test_invite_codes_never_look_like_a_verification() -> None:
    assert not any(new_code().startswith("v_") for _ in range(5000))


def test_the_window_lets_a_few_through_then_refuses_until_it_slides() -> None:
    window = SlidingWindow(3, timedelta(minutes=10))
    t0 = datetime(2026, 7, 6, 8, tzinfo=UTC)
    assert [window.allow(1, t0 + timedelta(minutes=i)) for i in range(4)] == [
        True,
        True,
        True,
        False,
    ]
    assert window.allow(2, t0)  # another account has its own window
    assert window.allow(1, t0 + timedelta(minutes=10))  # the first lookup has slid out
    assert not window.allow(1, t0 + timedelta(minutes=10, seconds=1))

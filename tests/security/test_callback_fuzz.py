"""Forged, replayed and malformed button presses: nothing changes, every one is answered.

A tampered client can send any callback data with any message id. One bot runs for the
whole module (see `live.py`) with a case at the Sekretaris's review (four tasks done, one
open) and another at the Kadin's first step. Hypothesis generates a thousand and more
presses — random text and bytes, overlong strings, every prefix our handlers know with
random numbers, buttons really sent (to anyone) replayed by anyone — and after each the
case state is byte for byte what it was, and the press got an answer that is a sentence
of the message catalogue (never silence, never an exception's text).

Presses the presser is entitled to make (their own open task, their own language) are
not attacks and are skipped; the fixed tests below pin the exact answers per class.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.views.i18n import Catalogue
from fakegram import FakeUser
from tests.security.live import FRONT_OFFICE, STRANGER, LiveStage, catalogue_patterns
from tests.support.figures import record

CATALOGUE = Catalogue.load()
ANSWERS = catalogue_patterns()
EXAMPLES = 1200
TASK_DATA = re.compile(r"^(?:t|dc):(\d+):(\d+)")
tried: Counter[str] = Counter()


def open_tasks(live: LiveStage) -> dict[tuple[int, int], str]:
    """(case, task) -> assignee of every open task."""
    snapshot = live.snapshot()
    return {
        (int(row[0]), int(row[1])): str(row[4])
        for row in snapshot["tasks"]
        if row[5] in ("open", "claimed")
    }


def entitled(live: LiveStage, presser: int, data: str | None) -> bool:
    """A press the presser may make: their own open task, their own language choice."""
    if data is None:
        return False
    if re.fullmatch(r"lang:(id|en)", data):
        return True
    match = TASK_DATA.match(data)
    if match is None:
        return False
    key = (int(match.group(1)), int(match.group(2)))
    assignee = open_tasks(live).get(key)
    return assignee is not None and live.st.config.officer(assignee).telegram_id == presser


def press(live: LiveStage, user: FakeUser, data: str | None, message_id: int | None) -> str:
    """Forge a press, wait until the bot has handled it, return its answer."""
    query = user.forge_callback(data, message_id)
    live.settle()
    answer = user.callback_answer(query)
    assert answer.answered, f"unanswered press {data!r} by {user!r}"
    return answer.text or ""


PREFIXES: tuple[str, ...] = ("t:", "u:", "q:t:", "q:h:", "q:b:", "q:f:", "dc:", "dg:")
PREFIXES += ("inv:p:", "inv:o:", "sc:", "sc:s:", "sc:p:", "sc:go", "lang:", "t:1:", "t:1:5:")
OPS = ("ap", "rt", "pf", "sg", "ok", "sk", "ck", "os", "od", "zz")
TEXT = st.characters(exclude_categories=["Cs"])  # lone surrogates are not UTF-8
NUMBER = st.one_of(st.integers(0, 12), st.integers(0, 10**12))


@st.composite
def callback_data(draw: st.DrawFn) -> tuple[str, str | int | None]:
    """(class, data); for "replay" an index into the buttons really sent so far (the
    strategy must not depend on the bot's state, or Hypothesis cannot replay it)."""
    kind = draw(
        st.sampled_from(["task", "prefixed", "garbage", "bytes", "overlong", "replay", "none"])
    )
    if kind == "task":
        arg = draw(st.none() | NUMBER)
        op = draw(
            st.sampled_from(OPS) | st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=2)
        )
        data = f"t:{draw(NUMBER)}:{draw(NUMBER)}:{op}" + ("" if arg is None else f":{arg}")
        return kind, data
    if kind == "prefixed":
        return kind, draw(st.sampled_from(PREFIXES)) + draw(st.text(TEXT, max_size=30))
    if kind == "garbage":
        return kind, draw(st.text(TEXT, max_size=64))
    if kind == "bytes":
        return kind, draw(st.binary(max_size=64)).decode("latin-1")
    if kind == "overlong":
        return kind, draw(st.text(TEXT, min_size=65, max_size=600))
    if kind == "replay":
        return kind, draw(st.integers(0, 10**6))
    return kind, None


def sent_buttons(live: LiveStage) -> list[str]:
    """The callback data of every button the bot ever sent, to anyone (stale ones too)."""
    found: set[str] = set()
    for call in live.fake.calls:
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict):
            for row in markup.get("inline_keyboard", []):
                found |= {b["callback_data"] for b in row if "callback_data" in b}
    return sorted(found)


# -- the exact answer per class --------------------------------------------------------------


def text_of(key: str, **params: object) -> str:
    return CATALOGUE.plain("id", key, **params)


def review(live: LiveStage) -> tuple[int, int]:
    """(task, draft version) of the Sekretaris's open review, from the database."""
    conn = sqlite3.connect(live.st.config.storage.database)
    try:
        (seq,) = conn.execute(
            "SELECT seq FROM tasks WHERE case_id = 1 AND assignee = 'sekretaris' "
            "AND status = 'open'"
        ).fetchone()
        (version,) = conn.execute(
            "SELECT MAX(number) FROM files WHERE case_id = 1 AND purpose = 'draft'"
        ).fetchone()
    finally:
        conn.close()
    return int(seq), int(version)


def refused(live: LiveStage, user: FakeUser, data: str) -> str:
    """Press from a message of the user's own chat (as a client always sends one)."""
    before = live.snapshot()
    answer = press(live, user, data, 1)
    assert live.snapshot() == before
    return answer


def test_someone_elses_open_task_is_refused_as_not_theirs(live: LiveStage) -> None:
    seq, version = review(live)
    for intruder in ("staf_2", "kadin", "sakip_1"):  # staff, a superior, anyone
        answer = refused(live, live.st.user(intruder), f"t:1:{seq}:ap:{version}")
        assert answer == text_of("refusal.not_assignee")


def test_a_finished_task_pressed_again_is_refused_as_done(live: LiveStage) -> None:
    conn = sqlite3.connect(live.st.config.storage.database)
    (seq,) = conn.execute(
        "SELECT seq FROM tasks WHERE assignee = 'sakip_1' AND status = 'done'"
    ).fetchone()
    conn.close()
    sakip = live.st.user("sakip_1")
    assert refused(live, sakip, f"t:1:{seq}:ok") == text_of("refusal.already_done")
    assert refused(live, sakip, f"t:1:{seq}:ok") == text_of("refusal.already_done")


def test_a_replaced_draft_version_is_refused_with_the_current_one(live: LiveStage) -> None:
    seq, version = review(live)
    answer = refused(live, live.st.user("sekretaris"), f"t:1:{seq}:ap:{version + 7}")
    assert answer == text_of("refusal.stale_version", seen=version + 7, latest=version)


@pytest.mark.parametrize("data", ["t:999999:1:ap", "t:1:999:ok", "t:0:0:ok"])
def test_a_case_or_task_that_does_not_exist_is_refused_as_not_found(
    live: LiveStage, data: str
) -> None:
    assert refused(live, live.st.user("sekretaris"), data) == text_of("refusal.task_not_found")


@pytest.mark.parametrize(
    "data",
    ["x" * 65, "t:1:5:ap:" + "9" * 200, "t:1:5:AP", "t:-1:5:ap", "t:1:5:ap:1:2", "\x00\x07"],
)
def test_malformed_or_overlong_data_gets_the_stale_button_answer(
    live: LiveStage, data: str
) -> None:
    assert refused(live, live.st.user("sekretaris"), data) == text_of("common.stale_button")


def test_a_press_without_data_is_answered_as_stale(live: LiveStage) -> None:
    for key in ("sekretaris", "staf_1"):  # an admin too: no handler may take it
        assert refused(live, live.st.user(key), "") == text_of("common.stale_button")


def test_a_stranger_is_given_the_contact_line_and_no_officer_name(live: LiveStage) -> None:
    seq, version = review(live)
    answer = refused(live, live.user(STRANGER), f"t:1:{seq}:ap:{version}")
    contact = "Dinas Pendidikan, silakan hubungi sekretariat."  # the default contact line
    assert answer == text_of("common.unknown_user", contact=contact)
    for officer in live.st.runtime.config.officers:  # the admins' names least of all
        assert officer.name.split(",")[0] not in answer, officer.key


# -- the property -----------------------------------------------------------------------


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same thousand presses every run: a failure is reproducible
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_forged_press_changes_a_case_and_every_press_is_answered(
    live: LiveStage, data: st.DataObject
) -> None:
    ids = [o.telegram_id for o in live.st.config.officers if o.telegram_id is not None]
    presser = data.draw(st.sampled_from([*ids, FRONT_OFFICE, STRANGER]), label="presser")
    kind, drawn = data.draw(callback_data(), label="data")
    if isinstance(drawn, int):
        replayable = sent_buttons(live)
        drawn = replayable[drawn % len(replayable)]
    callback: str | None = drawn
    if entitled(live, presser, callback):
        return  # not an attack
    user = live.user(presser)
    mine = [m.message_id for m in user.transcript]
    which = data.draw(st.sampled_from(["none", "random", "own"]), label="message")
    message_id = None
    if which == "random":
        message_id = data.draw(st.integers(1, 10**9), label="message id")
    elif which == "own" and mine:
        message_id = mine[data.draw(st.integers(0, 10**6), label="own message") % len(mine)]
    before, errors = live.snapshot(), len(live.errors.records)
    answer = press(live, user, callback, message_id)
    assert live.errors.records[errors:] == [], f"{callback!r} by {presser} raised"
    assert live.snapshot() == before, f"{callback!r} by {presser} changed the case"
    assert not answer or any(p.fullmatch(answer) for p in ANSWERS), answer
    tried[kind] += 1


def test_zz_the_property_tried_at_least_a_thousand_attacks(
    request: pytest.FixtureRequest,
) -> None:
    """Runs after the property (file order): counts what it really sent, by class."""
    total = sum(tried.values())
    record(request, "security.forged presses tried", total)
    record(request, "security.forged presses by class", dict(sorted(tried.items())))
    assert total >= 1000, tried

"""The whole case, counted: what each officer's phone shows for one quarterly report.

The demo plays the case with a return at step 5 and one at step 7, a late Kabid with his
reminders and escalation, and every morning's digest. Every message the bot put into an
officer's chat counts (an edit in place does not: it is the same bubble). The front
office, who starts the case with /mulai, is no officer and is not counted.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator

from demo import DemoResult
from demo.scenario import FRONT_OFFICE
from fakegram import BotMessage

SEKRETARIS_AT_MOST = 15
OFFICER_AT_MOST = 10


def officers(played: DemoResult) -> dict[str, tuple[BotMessage, ...]]:
    return {key: chat for key, chat in played.chats.items() if key != FRONT_OFFICE}


def files_in(chat: tuple[BotMessage, ...]) -> Iterator[str]:
    """The sha256 of every file a chat received, once per message that carried it."""
    for message in chat:
        if message.document is not None:
            yield hashlib.sha256(message.document.data).hexdigest()


def rows(played: DemoResult, sql: str, *params: object) -> list[sqlite3.Row]:
    with sqlite3.connect(played.database) as conn:
        conn.row_factory = sqlite3.Row
        return list(conn.execute(sql, params))


def test_each_officer_reads_a_short_chat(played: DemoResult) -> None:
    """Issue 15's budget for the case itself. The demo also makes the Sekretaris Plh Kadin
    for the last days (issue 16): the one notice a stand-in gets when the Surat Perintah
    takes effect is that appointment's message, not the case's, and is counted apart
    (one per letter naming the officer as stand-in); her tasks as Plh stay counted."""
    counts = {key: len(chat) for key, chat in officers(played).items()}
    print("messages per officer:", dict(sorted(counts.items(), key=lambda kv: -kv[1])))
    appointed = Counter(
        r["stand_in"] for r in rows(played, "SELECT stand_in FROM acting_appointments")
    )
    assert appointed == {"sekretaris": 1}  # the demo's Plh Kadin
    case_counts = {key: n - appointed[key] for key, n in counts.items()}
    assert case_counts["sekretaris"] <= SEKRETARIS_AT_MOST, case_counts
    others = {key: n for key, n in case_counts.items() if key != "sekretaris"}
    assert max(others.values()) <= OFFICER_AT_MOST, others


def test_no_officer_gets_a_file_twice(played: DemoResult) -> None:
    twice = {
        key: [sha[:8] for sha, n in Counter(files_in(chat)).items() if n > 1]
        for key, chat in officers(played).items()
    }
    assert {key: shas for key, shas in twice.items() if shas} == {}


def test_no_officer_gets_their_own_upload_back(played: DemoResult) -> None:
    uploads = rows(played, "SELECT sha256, uploaded_by, filename FROM files")
    assert {u["uploaded_by"] for u in uploads} >= {"staf_1", "sekretaris"}
    chats = officers(played)
    own = [
        (u["uploaded_by"], u["filename"])
        for u in uploads
        if u["sha256"] in set(files_in(chats.get(u["uploaded_by"], ())))
    ]
    assert own == []


def test_every_task_is_one_message_and_at_most_one_pdf(played: DemoResult) -> None:
    tasks = rows(played, "SELECT case_id, seq, assignee, step_key FROM tasks")
    assert len(tasks) > 20
    wrong = []
    for task in tasks:
        sent = rows(
            played,
            "SELECT task_seq, kind, payload_json FROM outbox WHERE case_id = ? "
            "AND officer_key = ? AND sent_at IS NOT NULL",
            task["case_id"],
            task["assignee"],
        )
        payloads = [
            (row["task_seq"], row["kind"], json.loads(row["payload_json"])) for row in sent
        ]
        # The task's own message: sent for it, or the officer's previous card turned into
        # it in place (an edit that hands the message on, `becomes`).
        own = [
            (kind, payload)
            for seq, kind, payload in payloads
            if (seq == task["seq"] and kind != "edit" and "reminder" not in payload)
            or (kind == "edit" and payload.get("becomes") == task["seq"])
        ]
        pdfs = [p for p in own if p[0] == "document" and p[1]["filename"].endswith(".pdf")]
        messages = len(own) - len(pdfs)
        if messages != 1 or len(pdfs) > 1:
            wrong.append((task["seq"], task["step_key"], task["assignee"], messages, len(pdfs)))
    assert wrong == []

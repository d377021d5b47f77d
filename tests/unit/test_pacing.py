"""The outbox drain's pacing: a backlog goes out under Telegram's flood limits.

A fake clock stands in for time: `sleep` advances it, so thousands of messages are paced
in microseconds and every send's instant is known.
"""

from __future__ import annotations

from collections import Counter

from bot.ptb.pacing import CHAT_BURST, GLOBAL_PER_SECOND, Pacer

TELEGRAM_PER_SECOND = 30  # overall, what Telegram tolerates
TELEGRAM_PER_CHAT_PER_MINUTE = 60 + CHAT_BURST  # ~1/s to one chat, a short burst allowed


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        assert seconds > 0
        self.now += seconds


async def drain(pacer: Pacer, time: FakeTime, chats: list[int]) -> list[tuple[float, int]]:
    sent = []
    for chat in chats:
        await pacer.wait(chat)
        sent.append((time.now, chat))
    return sent


def busiest_window(instants: list[float], seconds: float) -> int:
    """The most sends in any window of `seconds` (sliding over the send instants)."""
    best, start = 0, 0
    for end, at in enumerate(instants):
        while at - instants[start] >= seconds:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_a_backlog_of_5160_messages_stays_under_both_limits() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time.monotonic, sleep=time.sleep)
    # As at start after a long outage: 5,160 rows for 43 officers, in id order.
    chats = [1000 + (i * 7) % 43 for i in range(5160)]
    sent = await drain(pacer, time, chats)

    instants = [at for at, _ in sent]
    assert busiest_window(instants, 1.0) <= TELEGRAM_PER_SECOND
    for chat in set(chats):
        own = [at for at, c in sent if c == chat]
        assert busiest_window(own, 60.0) <= TELEGRAM_PER_CHAT_PER_MINUTE, chat
        assert busiest_window(own, 1.0) <= CHAT_BURST
    # ... and no slower than the overall pace makes it (43 chats at 1/s each would
    # allow 43/s; the bot's 25/s is what binds: 5,160 / 25 = 206.4 s).
    assert instants[-1] - instants[0] <= 5160 / GLOBAL_PER_SECOND + 1


async def test_a_press_to_a_few_chats_goes_out_without_waiting() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time.monotonic, sleep=time.sleep)
    sent = await drain(pacer, time, [1, 1, 2])  # the edit and a notice to one, a task to another
    assert [round(at - 1000, 3) for at, _ in sent] == [0.0, 0.04, 0.08]


async def test_one_chat_gets_a_short_burst_then_one_a_second() -> None:
    time = FakeTime()
    pacer = Pacer(monotonic=time.monotonic, sleep=time.sleep)
    sent = await drain(pacer, time, [7] * 8)
    offsets = [round(at - 1000, 2) for at, _ in sent]
    assert offsets[:CHAT_BURST] == [0.0, 0.04, 0.08]
    gaps = Counter(
        round(b - a, 2)
        for a, b in zip(offsets[CHAT_BURST:], offsets[CHAT_BURST + 1 :], strict=False)
    )
    assert set(gaps) == {1.0}

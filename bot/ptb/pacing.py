"""Pacing the outbox under Telegram's flood limits, so a backlog goes out without 429s.

Telegram refuses ("429 Too Many Requests", `RetryAfter`) a bot that sends more than about
30 messages a second overall, or more than about one a second to one chat for long.
PTB's `AIORateLimiter` (bot/app.py) throttles the overall rate and group chats, but it
does not space messages to one *private* chat (every officer's chat is one), and on a
429 it only retries after the fact. Draining 5,160 queued messages at start drew 172 of
them. So the drain itself asks the pacer before every call: a token bucket for the bot
(one message every 1/`per_second` s, no burst) and one per chat (a short burst, then one
a second). An ordinary press, a few messages to a few chats, hardly waits; a backlog
goes out at the rate Telegram accepts.

The clock and the sleep are injected: tests drive a fake clock and count the calls per
second, instead of waiting.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

GLOBAL_PER_SECOND = 25.0  # under Telegram's ~30/s, leaving room for direct replies
CHAT_PER_SECOND = 1.0
CHAT_BURST = 3  # a press's edit + notice + document to one officer go out at once
_FORGET_AFTER = 60.0  # seconds; a chat idle this long has a full bucket again


@dataclass(slots=True)
class _Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    at: float  # when `tokens` was counted

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def wait_for_one(self) -> float:
        """Seconds until a token is there (0 if one is)."""
        # A hair under 1 after an exact wait is float rounding, not a missing token.
        return 0.0 if self.tokens >= 1 - 1e-9 else (1 - self.tokens) / self.rate


@dataclass(slots=True)
class Pacer:
    per_second: float = GLOBAL_PER_SECOND
    chat_per_second: float = CHAT_PER_SECOND
    chat_burst: int = CHAT_BURST
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _bot: _Bucket | None = None
    _chats: dict[int, _Bucket] = field(default_factory=dict)

    async def wait(self, chat_id: int) -> None:
        """Return when one more message to `chat_id` stays under both limits (and count it)."""
        while True:
            now = self.monotonic()
            bot, chat = self._bot_bucket(now), self._chat_bucket(chat_id, now)
            bot.refill(now)
            chat.refill(now)
            delay = max(bot.wait_for_one(), chat.wait_for_one())
            if delay <= 0:
                bot.tokens -= 1
                chat.tokens -= 1
                return
            await self.sleep(delay)

    def _bot_bucket(self, now: float) -> _Bucket:
        if self._bot is None:
            self._bot = _Bucket(self.per_second, 1, 1, now)
        return self._bot

    def _chat_bucket(self, chat_id: int, now: float) -> _Bucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if len(self._chats) > 1000:  # forget chats idle long enough to be full again
                self._chats = {k: b for k, b in self._chats.items() if now - b.at < _FORGET_AFTER}
            burst = float(self.chat_burst)
            bucket = self._chats[chat_id] = _Bucket(self.chat_per_second, burst, burst, now)
        return bucket

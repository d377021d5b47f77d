"""PTB's update queue, with every update on disk before PTB may confirm it to Telegram.

PTB's Updater `await`s `update_queue.put(update)` for each update of a getUpdates batch
and only then asks for the next batch, which confirms this one (the webhook handler
awaits it before answering 200); the Application's fetcher task `get`s from the same
queue and handles the updates one by one. So a `put` that returns only once the update
is in the inbox (`storage.inbox`) makes every update Telegram forgets one the bot still
has. At start, before polling, the unfinished ones go into the queue first (`replay`).
"""

from __future__ import annotations

import asyncio
import json
import logging

from telegram import Bot, Update

from bot.crashpoints import crashpoint
from storage.inbox import Inbox, hold, in_hand, let_go

log = logging.getLogger(__name__)


class InboxQueue(asyncio.Queue[object]):
    """`ApplicationBuilder().update_queue(...)`: `put` stores an update before queueing it,
    and queues an update already in the inbox (delivered twice) not at all."""

    def __init__(self, inbox: Inbox) -> None:
        super().__init__()
        self.inbox = inbox
        self.replays: set[int] = set()  # update ids queued by `replay`, not yet handled

    async def put(self, item: object) -> None:
        if isinstance(item, Update):
            fresh = await self.inbox.append(item.update_id, item.to_json())
            crashpoint("inbox.stored")
            if not fresh:
                log.info("update %d is already in the inbox: handled once", item.update_id)
                return
        await super().put(item)  # PTB's own stop signal passes as it is

    async def replay(self, bot: Bot) -> int:
        """Queue the updates a crash left unfinished (each once); how many."""
        await self.inbox.prune()
        unfinished = await self.inbox.take_unfinished()
        for update_id, body in unfinished:
            update = Update.de_json(json.loads(body), bot)
            self.replays.add(update_id)
            self.put_nowait(update)  # already stored: straight into the queue
        if unfinished:
            log.warning("replaying %d update(s) a crash left unfinished", len(unfinished))
        return len(unfinished)

    def take(self, update: Update) -> None:
        """The first handler group: `update` is in hand (a replay or not)."""
        replay = update.update_id in self.replays
        self.replays.discard(update.update_id)
        hold(update.update_id, replay=replay)

    async def settle(self) -> None:
        """Handling ended: the update is done (if its effect's transaction did not say so)."""
        hand = let_go()
        if hand is None or hand.done:
            return
        crashpoint("inbox.handled")
        await self.inbox.done(hand)


def replaying() -> bool:
    """Whether the update in hand is a replay: its button press can no longer be answered
    as a query, so its answer goes to the chat."""
    hand = in_hand()
    return hand is not None and hand.replay

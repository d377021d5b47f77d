"""A sliding-window limit per key: how often a stranger may ask the bot something.

Verification is open to anyone holding the paper (an Inspektorat auditor need not be an
officer), so it is the one lookup a stranger can repeat; the limit keeps it from being
used to guess codes. In memory: a restart forgetting the window costs nothing.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

__all__ = ["SlidingWindow"]


class SlidingWindow:
    """At most `limit` events per `window` for each key."""

    def __init__(self, limit: int, window: timedelta) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[int, deque[datetime]] = {}

    def allow(self, key: int, now: datetime) -> bool:
        """Counts the event and says whether it is within the limit."""
        seen = self._seen.setdefault(key, deque())
        while seen and now - seen[0] >= self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(now)
        return True

"""The pure workflow core: the SOP as data, the engine, working time, reminders policy.

Imports neither telegram, aiosqlite, storage nor handlers (pinned by import contracts)."""

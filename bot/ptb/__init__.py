"""The python-telegram-bot adapter: the context, the sender, persistence and jobs.

Besides handlers/ and the composition root, the only code that imports telegram."""

"""A local stand-in for the Telegram Bot API, for end-to-end tests and the offline demo.

    from fakegram import FakeTelegram

    with FakeTelegram() as fake:
        app = (
            ApplicationBuilder()
            .token(fake.token)
            .base_url(fake.base_url)
            .base_file_url(fake.base_file_url)
            .build()
        )
        user = fake.user(1001, "Sari")
        user.start()
        ...  # run the app, then: await fake.wait_for(user.last_message)

Standard library only; the server runs in its own thread, independent of any event loop.
"""

from fakegram.errors import ApiError, ButtonNotFound, FakeUsageError
from fakegram.formatting import EntityParseError, parse_html
from fakegram.records import ApiCall, BotMessage, Button, CallbackAnswer, SentFile
from fakegram.server import FakeTelegram
from fakegram.users import FakeGroup, FakeUser, MessageRef

__all__ = [
    "ApiCall",
    "ApiError",
    "BotMessage",
    "Button",
    "ButtonNotFound",
    "CallbackAnswer",
    "EntityParseError",
    "FakeGroup",
    "FakeTelegram",
    "FakeUsageError",
    "FakeUser",
    "MessageRef",
    "SentFile",
    "parse_html",
]

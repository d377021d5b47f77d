"""The agency's configuration (`config.toml`), read once at start into a typed `Config`.

The bottom layer: everything else may import it, it imports nothing of the bot. The
settings types are in `model`, the shared field rules in `fields`, the reading in `parse`.
"""

from bot.config.model import (
    AgencySettings,
    Channel,
    Config,
    Language,
    Mode,
    Officer,
    Recipient,
    Secret,
    StoragePaths,
    TelegramSettings,
)
from bot.config.parse import (
    DEFAULT_ROLES_REQUIRING_NIP,
    DEFAULT_SOP,
    PROJECT_ROOT,
    TOKEN_ENV,
    WEBHOOK_SECRET_ENV,
    ConfigError,
    load_config,
    parse_config,
)

__all__ = [
    "DEFAULT_ROLES_REQUIRING_NIP",
    "DEFAULT_SOP",
    "PROJECT_ROOT",
    "TOKEN_ENV",
    "WEBHOOK_SECRET_ENV",
    "AgencySettings",
    "Channel",
    "Config",
    "ConfigError",
    "Language",
    "Mode",
    "Officer",
    "Recipient",
    "Secret",
    "StoragePaths",
    "TelegramSettings",
    "load_config",
    "parse_config",
]

"""What the background services need of the running bot, declared here so they never
import the composition root: `bot.runtime.Runtime` satisfies it structurally."""

from __future__ import annotations

from typing import Protocol
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.core.clock import Clock
from bot.core.people import Directory
from bot.core.workclock import WorkingTimeCalendar
from bot.services.backup_settings import BackupSettings
from bot.services.digest import DigestSettings
from bot.services.workflow_service import WorkflowService
from bot.views.i18n import Catalogue
from storage.db import Database


class Office(Protocol):
    config: Config
    directory: Directory
    catalogue: Catalogue
    calendar: WorkingTimeCalendar
    clock: Clock
    db: Database
    service: WorkflowService
    tz: ZoneInfo
    backup: BackupSettings  # [backup], read once at start
    digest: DigestSettings  # [digest], read once at start

    @property
    def agency(self) -> str: ...

    async def language_of(self, officer_key: str) -> str: ...

    def text(self, lang: str, key: str, **params: object) -> str: ...

    def plain(self, lang: str, key: str, **params: object) -> str: ...

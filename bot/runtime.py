"""Everything the running bot is made of, built once from the configuration.

Handlers, jobs, the sender and the demo reach the services through one `Runtime` (kept in
`application.bot_data`, exposed by `handlers.common.BotContext`), never through globals.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.config import Config
from bot.core.calendar_settings import CalendarSettings
from bot.core.clock import Clock
from bot.core.people import Directory, admin_key
from bot.core.reminders import ReminderPolicy
from bot.core.sop import Sop
from bot.core.workclock import WorkingTimeCalendar
from bot.documents import DocumentSettings, PdfConverter, document_settings
from bot.services.acting import ActingService, configured_letters
from bot.services.backup_settings import BackupSettings
from bot.services.dialogs import DialogStore
from bot.services.digest import DigestSettings
from bot.services.document_extras import DocumentExtras
from bot.services.document_index import DocumentIndex
from bot.services.document_jobs import DocumentWorker
from bot.services.invites import Invitations, InvitePolicy
from bot.services.on_demand import OnDemandFiles
from bot.services.outbox import language_of
from bot.services.sheet_upload import SheetUploads
from bot.services.verification import Verifier
from bot.services.workflow_service import WorkflowService
from bot.views.i18n import Catalogue
from bot.views.presenter import CataloguePresenter
from storage.audit_key import AuditKeySource
from storage.db import Database
from storage.files import FileStore
from storage.inbox import Inbox
from storage.outbox import recipient
from storage.uow import reading, unit_of_work

log = logging.getLogger(__name__)


class Deliverer(Protocol):
    """Sends what the outbox holds (the PTB adapter's `OutboxSender`, once the Bot exists)."""

    async def drain(self) -> int: ...


class Courier(Protocol):
    """Delivers in the background (the PTB adapter's `DeliveryWorker`, once the bot runs)."""

    def wake(self) -> None: ...

    def hold(self) -> None: ...

    def release(self) -> None: ...

    async def idle(self) -> None: ...

    async def through(self) -> None: ...

    async def caught_up(self, recipients: Iterable[str]) -> None: ...


class StartupError(RuntimeError):
    """A mistake in the configuration that stops the bot, with one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Runtime:
    """The running bot. `config` is the file as validated; the feature tables it passes
    through (`[calendar]`, `[reminders]`, `[digest]`, `[documents]`, `[invites]`,
    `[backup]`) are read here once, at `build`, into the typed settings below, and
    nothing reads those tables again."""

    config: Config
    directory: Directory
    sops: dict[str, Sop]
    catalogue: Catalogue
    calendar: WorkingTimeCalendar
    clock: Clock
    db: Database
    files: FileStore
    service: WorkflowService
    presenter: CataloguePresenter
    policy: ReminderPolicy  # [reminders]
    backup: BackupSettings  # [backup]
    digest: DigestSettings  # [digest]
    invites: Invitations  # joining by invite, with the [invites] policy
    dialogs: DialogStore  # the open dialogs, on disk before their questions go out
    inbox: Inbox  # every update on disk before it is handled (bot.ptb.inbox)
    tz: ZoneInfo
    output_dir: Path
    sheet_uploads: SheetUploads  # indicator sheets taken in for the data role's tasks
    verifier: Verifier  # /verifikasi
    on_demand: OnDemandFiles  # the files and texts a button sends ("PDF", "Rincian")
    acting: ActingService  # Plh/Plt: Surat Perintah, hand-over and back, orphaned tasks
    sender: Deliverer | None = None  # set by bot.app once the Bot exists
    courier: Courier | None = None  # runs `deliver_pass` in the background (bot.app)
    wakeup: Callable[[], Awaitable[object]] | None = None  # re-plans the reminder tick
    last_update_id: int = 0  # the newest update fully handled (tests wait on it)
    document_settings: DocumentSettings | None = None  # the [documents] table
    pdf: PdfConverter | None = None  # None: PDF copies are switched off
    docjobs: DocumentWorker | None = None  # renders documents after the commit

    @classmethod
    def build(cls, config: Config, sops: dict[str, Sop], clock: Clock) -> Runtime:
        """Check what the engine needs of the config and wire the services together."""
        problems: list[str] = []
        settings, errors = CalendarSettings.from_mapping(
            config.calendar, timezone=config.agency.timezone.key
        )
        problems += errors
        policy, errors = ReminderPolicy.from_mapping(config.reminders)
        problems += errors
        invite_policy, errors = InvitePolicy.from_mapping(config.invites)
        problems += errors
        backup, errors = BackupSettings.from_mapping(config.backup)
        problems += errors
        digest, errors = DigestSettings.from_mapping(
            config.digest, {officer.key for officer in config.officers}
        )
        problems += errors
        problems += roles_problems(config, sops)
        doc_settings, data_role, errors = document_settings(config, sops)
        problems += errors
        if (
            problems
            or settings is None
            or policy is None
            or invite_policy is None
            or backup is None
            or digest is None
            or doc_settings is None
        ):
            raise StartupError(problems)
        calendar = WorkingTimeCalendar(settings)
        directory = Directory.from_config(config, policy.superior_role)
        letters, errors = configured_letters(config, directory)
        if errors:
            raise StartupError(errors)
        catalogue = Catalogue.load()
        tz = config.agency.timezone
        index = DocumentIndex()
        pdf = (
            PdfConverter(
                max_parallel=doc_settings.pdf_max_parallel,
                timeout=doc_settings.pdf_timeout_seconds,
            )
            if doc_settings.pdf
            else None
        )
        presenter = CataloguePresenter(
            catalogue,
            directory,
            tz,
            calendar,
            calendar.working_minutes_per_day,
            extras=DocumentExtras(
                catalogue, index, data_role, lambda: pdf is not None and pdf.available
            ),
            list_details={
                "recipients": {r.name: (r.channel.value, r.address) for r in config.recipients}
            },
        )
        db = Database(
            config.storage.database, audit_key=AuditKeySource.beside(config.source), clock=clock
        )
        files = FileStore(config.storage.files)
        service = WorkflowService(
            db=db,
            files=files,
            sops=sops,
            people=directory,
            calendar=calendar,
            clock=clock,
            presenter=presenter,
            policy=policy,
            lists={"recipients": [r.name for r in config.recipients]},
            agency=config.agency.id,
        )
        runtime = cls(
            config=config,
            directory=directory,
            sops=sops,
            catalogue=catalogue,
            calendar=calendar,
            clock=clock,
            db=db,
            files=files,
            service=service,
            presenter=presenter,
            policy=policy,
            backup=backup,
            digest=digest,
            invites=Invitations(db, clock, directory, catalogue, invite_policy, config.agency.id),
            dialogs=DialogStore(db, clock),
            inbox=Inbox(config.storage.database),
            tz=tz,
            output_dir=config.storage.output,
            sheet_uploads=SheetUploads(
                db=db,
                files=files,
                service=service,
                clock=clock,
                data_role=data_role,
                agency=config.agency.id,
            ),
            verifier=Verifier(db=db, service=service, agency=config.agency.id),
            on_demand=OnDemandFiles(db, catalogue, clock, directory, config.agency.id),
            acting=ActingService(
                db=db,
                workflow=service,
                people=directory,
                catalogue=catalogue,
                clock=clock,
                tz=tz,
                agency=config.agency.id,
                configured=letters,
            ),
            document_settings=doc_settings,
            pdf=pdf,
        )
        runtime.docjobs = DocumentWorker(
            db=db,
            files=files,
            service=service,
            config=config,
            catalogue=catalogue,
            directory=directory,
            clock=clock,
            settings=doc_settings,
            converter=runtime.pdf,
            index=index,
            deliver=runtime.deliver,
            agency=config.agency.id,
        )
        return runtime

    async def deliver(self) -> None:
        """Deliver everything queued so far and wait until it is through (tests, the demo,
        scheduled jobs). Handlers do not call this: their commit wakes the courier."""
        if self.courier is None:
            await self.deliver_pass()
            return
        self.courier.wake()
        await self.courier.idle()

    async def delivered(self) -> None:
        """Wait until what is queued so far has gone out, for a reply that reports it
        (the case started, the tasks withdrawn): rare commands, not presses."""
        if self.courier is None:
            await self.deliver_pass()
            return
        await self.courier.through()

    async def before_reply(self, officer_key: str | None, chat_id: int | None) -> None:
        """A handler is about to write to this officer's chat itself: let what was queued
        for them earlier go first."""
        if self.courier is None:
            return
        keys = [] if officer_key is None else [recipient(officer_key, None)]
        if chat_id is not None:
            keys.append(recipient(None, chat_id))
        await self.courier.caught_up(keys)

    async def deliver_pass(self) -> None:
        """Send what the last actions put in the outbox, then the documents they asked for
        (no-op before the bot is up). One pass at a time: the courier runs them."""
        if self.sender is not None:
            await self.sender.drain()
        if self.docjobs is not None:
            # Then the documents those actions asked for, and their files at once (also
            # when another task rendered them meanwhile: its drain may still be sending).
            await self.docjobs.run_pending()
            if self.sender is not None:
                await self.sender.drain()
        if self.wakeup is not None:
            await self.wakeup()

    @property
    def agency(self) -> str:
        return self.config.agency.id

    def contact(self, lang: str) -> str:
        """Whom a stranger should ask: `[agency] contact`, else the agency's secretariat.

        Never an officer's name: an account the bot does not know learns nobody's name.
        """
        agency = self.config.agency
        return agency.contact or self.catalogue.plain(lang, "common.contact", agency=agency.name)

    async def officer_for(self, telegram_id: int) -> str | None:
        """The officer (or front-office admin) behind a Telegram account, if any."""
        officer, _ = await self.identify(telegram_id)
        return officer

    async def identify(self, telegram_id: int) -> tuple[str | None, str | None]:
        """The officer behind a Telegram account and the language they read, in one read
        (every update asks this first); (None, None) for a stranger."""
        async with reading(self.db, self.agency) as tx:
            configured = self._configured(telegram_id)
            officer = await tx.accounts.officer_for(telegram_id, configured=configured)
            if officer is None:
                return None, None
            return officer, await language_of(tx, self.directory, officer)

    def _configured(self, telegram_id: int) -> str | None:
        """An officer or admin the config names by Telegram id (not bound by invite)."""
        officer = self.directory.by_telegram_id(telegram_id)
        if officer is not None:
            return officer.key
        if self.directory.is_admin_telegram_id(telegram_id):
            return admin_key(telegram_id)
        return None

    async def chat_of(self, officer_key: str) -> int | None:
        if officer_key.startswith("tg:"):
            return int(officer_key.removeprefix("tg:"))
        async with reading(self.db, self.agency) as tx:
            account = await tx.accounts.get(officer_key)
        if account is not None and account.telegram_id is not None:
            return account.telegram_id
        return self.directory.configured_telegram_id(officer_key)

    async def language_of(self, officer_key: str) -> str:
        async with reading(self.db, self.agency) as tx:
            return await language_of(tx, self.directory, officer_key)

    async def chosen_languages(self) -> dict[str, str]:
        """Officer -> the language they chose with /bahasa, for those who did (one read)."""
        async with reading(self.db, self.agency) as tx:
            return {a.officer_key: a.language for a in await tx.accounts.all() if a.language}

    async def set_language(self, officer_key: str, language: str) -> None:
        async with unit_of_work(self.db, self.agency) as tx:
            await tx.accounts.set_language(officer_key, language)

    def text(self, lang: str, key: str, **params: object) -> str:
        return self.catalogue.text(lang, key, **params)

    def plain(self, lang: str, key: str, **params: object) -> str:
        return self.catalogue.plain(lang, key, **params)


def roles_problems(config: Config, sops: dict[str, Sop]) -> list[str]:
    """Every role an SOP step needs must be held by someone, and leaders must exist."""
    problems: list[str] = []
    for sop in sops.values():
        for step in sorted(sop.steps, key=lambda s: s.number):
            holders = [o for o in config.officers if o.role in step.roles]
            where = f"{sop.key}: step {step.number} ({step.key})"
            if not holders:
                problems.append(
                    f"{where} needs an officer with role {' or '.join(step.roles)}, "
                    "but no officer in the config has it"
                )
            elif step.assign.value == "leader" and not any(o.leader for o in holders):
                problems.append(
                    f"{where} goes to the leader of {' or '.join(step.roles)}: "
                    "mark one of them with leader = true"
                )
    return problems

"""The HTTP face of the fake, and `FakeTelegram`, the object tests hold.

It is a `ThreadingHTTPServer` in a daemon thread rather than an asyncio server so that it
never depends on the caller's event loop: the bot may run in the same loop as the test,
in another thread, or in another process (crash tests, the offline demo), and a long poll
parked in one handler thread blocks nobody else.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import parse_qs, unquote

from fakegram.botapi import BotApi, default_failure_description
from fakegram.errors import ApiError, FakeUsageError, bad_request, not_found, unauthorized
from fakegram.params import Params, Upload
from fakegram.records import ApiCall, CallbackAnswer
from fakegram.state import Chat, Failure, ScopeKey, UserState, World
from fakegram.users import FakeGroup, FakeUser

_LOGGER = logging.getLogger(__name__)
T = TypeVar("T")

_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_MAX_BODY = 60 * 1024 * 1024
_DISPOSITION_RE = re.compile(r'(?:^|;)\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))')
_PERCENT_RE = re.compile(r"%(22|[01][0-9A-Fa-f])")


def _disposition(header: str) -> dict[str, str]:
    """Parameters of a Content-Disposition header as httpx (HTML5 form rules) writes them."""
    found: dict[str, str] = {}
    for key, quoted, bare in _DISPOSITION_RE.findall(header):
        if quoted or not bare:
            value = re.sub(r"\\(.)", r"\1", quoted)
            value = _PERCENT_RE.sub(lambda m: chr(int(m.group(1), 16)), value)
        else:
            value = bare
        if key.endswith("*") and "''" in value:
            key, value = key[:-1], unquote(value.split("''", 1)[1])
        found[key.lower()] = value
    return found


def parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, Upload]]:
    """Fields and files of a multipart/form-data body, byte-exact for file contents."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if match is None:
        raise bad_request("can't parse multipart/form-data: no boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    fields: dict[str, str] = {}
    files: dict[str, Upload] = {}
    for part in body.split(delimiter)[1:]:
        if part.startswith(b"--"):
            break
        part = part.removeprefix(b"\r\n").removesuffix(b"\r\n")
        head, sep, content = part.partition(b"\r\n\r\n")
        if not sep:
            continue
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            headers[key.strip().lower()] = value.strip()
        disposition = _disposition(headers.get("content-disposition", ""))
        name = disposition.get("name")
        if name is None:
            continue
        if "filename" in disposition:
            files[name] = Upload(disposition["filename"], content, headers.get("content-type"))
        else:
            fields[name] = content.decode("utf-8")
    return fields, files


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a keep-alive connection must never hold up stop()

    def __init__(self, address: tuple[str, int], api: BotApi, token: str) -> None:
        self.api = api
        self.token = token
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def track(self, connection: socket.socket, alive: bool) -> None:
        with self._connections_lock:
            if alive:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def drop_connections(self) -> None:
        """Cut idle keep-alive connections so their handler threads end now."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        _LOGGER.debug("fake Telegram: connection error from %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes
    server: _HttpServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, alive=True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, alive=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: request lines contain the bot token."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks: list[bytes] = []
            total = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > _MAX_BODY:
                    raise ApiError(413, "Request Entity Too Large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            raise ApiError(413, "Request Entity Too Large")
        return self.rfile.read(length) if length else b""

    def _params(self, body: bytes, query: str) -> Params:
        values: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query).items()}
        files: dict[str, Upload] = {}
        content_type = self.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            try:
                decoded = json.loads(body or b"{}")
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(decoded, dict):
                raise bad_request("can't parse JSON object")
            values.update(decoded)
        elif content_type.startswith("multipart/form-data"):
            fields, files = parse_multipart(body, content_type)
            values.update(fields)
        elif body:
            form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            values.update({k: v[-1] for k, v in form.items()})
        return Params(values, files)

    def _send(self, code: int, body: bytes, content_type: str = "application/json") -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (a cancelled long poll, a killed bot)
            self.close_connection = True

    def _send_json(self, code: int, payload: dict[str, Any]) -> None:
        self._send(code, json.dumps(payload, ensure_ascii=False).encode("utf-8"))

    def _send_error(self, error: ApiError) -> None:
        self._send_json(error.code, error.payload())

    def _handle(self) -> None:
        api, bot_token = self.server.api, self.server.token
        try:
            body = self._read_body()
        except ApiError as error:
            self.close_connection = True
            self._send_error(error)
            return
        except (OSError, ValueError):
            self.close_connection = True
            return
        raw_path, _, query = self.path.partition("?")
        path = unquote(raw_path)  # PTB percent-encodes file URLs, the token's ":" included
        if path.startswith("/file/bot"):
            token, _, file_path = path.removeprefix("/file/bot").partition("/")
            data = api.file_by_path(file_path) if token == bot_token else None
            if data is None:
                self._send_error(not_found())
            else:
                self._send(200, data, "application/octet-stream")
            return
        token, _, method = path.removeprefix("/bot").partition("/")
        if not path.startswith("/bot") or not method or "/" in method:
            self._send_error(not_found())
            return
        if token != bot_token:
            self._send_error(unauthorized() if _TOKEN_RE.match(token) else not_found())
            return
        try:
            result = api.call(method, self._params(body, query))
        except ApiError as error:
            self._send_error(error)
            return
        except Exception:
            _LOGGER.exception("fake Telegram failed on %s", method)
            self._send_error(ApiError(500, "Internal Server Error"))
            return
        self._send_json(200, {"ok": True, "result": result})


class FakeTelegram:
    """A local Bot API for one bot token, plus the users and groups that talk to it.

    Point an unmodified PTB application at it::

        with FakeTelegram() as fake:
            app = (
                ApplicationBuilder().token(fake.token)
                .base_url(fake.base_url).base_file_url(fake.base_file_url).build()
            )

    `stop()` followed by `start()` keeps all state and the port: a Telegram outage.
    """

    def __init__(
        self,
        token: str = "123456:TEST",
        bot_username: str = "sop_test_bot",
        *,
        bot_name: str = "SOP Test Bot",
        clock: Callable[[], float] = time.time,
        callback_query_ttl: float = 15.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        if not _TOKEN_RE.match(token):
            raise ValueError(f"not a bot token: {token!r} (expected '<digits>:<secret>')")
        self._world = World(
            token=token,
            bot_username=bot_username,
            bot_name=bot_name,
            clock=clock,
            callback_query_ttl=callback_query_ttl,
        )
        self._api = BotApi(self._world)
        self._host = host
        self._port = port
        self._server: _HttpServer | None = None
        self._thread: threading.Thread | None = None
        self._users: dict[int, FakeUser] = {}
        self._groups: dict[int, FakeGroup] = {}

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> Self:
        if self._server is not None:
            return self
        with self._world.cond:
            self._world.closing = False
        server = _HttpServer((self._host, self._port), self._api, self.token)
        self._port = int(server.server_address[1])
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.01},  # stop() waits up to this long
            name=f"fakegram:{self._port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        with self._world.cond:
            self._world.closing = True  # parked long polls answer [] now
            self._world.changed()
        server.shutdown()
        server.drop_connections()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    @property
    def url(self) -> str:
        if self._port == 0:
            raise FakeUsageError("start() the fake first: the port is chosen then")
        return f"http://{self._host}:{self._port}"

    @property
    def base_url(self) -> str:
        """For `ApplicationBuilder().base_url(...)`; PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """For `ApplicationBuilder().base_file_url(...)`; PTB appends the token."""
        return f"{self.url}/file/bot"

    @property
    def token(self) -> str:
        return self._world.token

    @property
    def bot_id(self) -> int:
        return self._world.bot_id

    @property
    def bot_username(self) -> str:
        return self._world.bot_username

    # --- people -----------------------------------------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        language_code: str | None = "id",
        *,
        last_name: str | None = None,
        started: bool = False,
    ) -> FakeUser:
        """The user with this id, created on first use.

        A new user has not pressed Start: the bot cannot message them (403) until they
        send something (`start()`, `send_text()`), unless `started=True`.
        """
        if user_id <= 0:
            raise FakeUsageError("user ids are positive")
        with self._world.cond:
            existing = self._users.get(user_id)
            if existing is not None:
                return existing
            if user_id in self._world.chats:
                raise FakeUsageError(f"chat id {user_id} is taken")
            state = UserState(
                id=user_id,
                first_name=first_name,
                last_name=last_name,
                username=username,
                language_code=language_code,
                started=started,
            )
            self._world.users[user_id] = state
            user = FakeUser(self._world, state, self._world.private_chat(state))
            self._users[user_id] = user
            return user

    def group(self, chat_id: int, title: str, *, privacy_mode: bool = True) -> FakeGroup:
        """A group with the bot in it; ids <= -10**12 make a supergroup.

        With privacy mode (Telegram's default) the bot gets only commands, replies to its
        own messages and messages mentioning it.
        """
        if chat_id >= 0:
            raise FakeUsageError("group chat ids are negative")
        with self._world.cond:
            existing = self._groups.get(chat_id)
            if existing is not None:
                return existing
            kind = "supergroup" if chat_id <= -(10**12) else "group"
            chat = Chat(id=chat_id, type=kind, title=title, privacy_mode=privacy_mode)
            self._world.chats[chat_id] = chat
            group = FakeGroup(self._world, chat)
            self._groups[chat_id] = group
            return group

    # --- inspecting and steering --------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Every Bot API call so far, in the order they finished (long polls included)."""
        with self._world.cond:
            return list(self._world.calls)

    def callback_answer(self, query_id: str) -> CallbackAnswer:
        """One pressed button and the bot's answer, by query id, whoever pressed it (read
        in constant time: a harness waiting for answers re-checks after every call)."""
        with self._world.cond:
            return self._world.queries[query_id].snapshot()

    def calls_to(self, method: str) -> list[ApiCall]:
        wanted = (self._api.canonical(method) or method).lower()
        return [c for c in self.calls if c.method.lower() == wanted]

    @property
    def last_update_id(self) -> int:
        """The id of the newest update users produced (0 before any)."""
        with self._world.cond:
            return self._world.next_update_id - 1

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by the bot (fetched or not)."""
        with self._world.cond:
            return len(self._world.updates)

    @property
    def polling(self) -> bool:
        """Whether a getUpdates long poll is parked here now, e.g. the bot is up and idle.

        A poll whose client went away (a cancelled task, a killed process) stays parked
        until its timeout, an update, or the next getUpdates ends it.
        """
        with self._world.cond:
            return self._world.parked_polls > 0

    @property
    def webhook_url(self) -> str:
        return self._world.webhook_url

    def fail_next(
        self,
        method: str,
        code: int,
        *,
        times: int = 1,
        description: str | None = None,
        retry_after: int | None = None,
        applied: bool = False,
    ) -> None:
        """Make the next `times` calls of `method` answer with error `code`.

        429 carries `retry_after` (default 1 s; PTB raises `RetryAfter`). With
        `applied=True` the call takes effect before the error is returned, like a message
        Telegram delivered although the bot saw a 502.
        """
        if code == 429 and not retry_after:
            retry_after = 1
        failure = Failure(
            code=code,
            description=description or default_failure_description(code, retry_after),
            retry_after=retry_after,
            applied=applied,
        )
        self._api.inject_failure(method, failure, times)

    def expire_callback_queries(self) -> int:
        """Make every still answerable callback query too old; returns how many there were."""
        with self._world.cond:
            w = self._world
            open_queries = [
                q
                for q in w.queries.values()
                if not q.answered
                and not q.expired
                and w.clock() - q.created <= w.callback_query_ttl
            ]
            for query in open_queries:
                query.expired = True
            return len(open_queries)

    def commands(self, scope: Any = None, language_code: str = "") -> list[tuple[str, str]]:
        """The list set for exactly this scope and language (no fallback), as pairs.

        `scope` is a Bot API scope dict such as `{"type": "chat", "chat_id": 42}` or a PTB
        `BotCommandScope` object.
        """
        if scope is not None and hasattr(scope, "to_dict"):
            scope = scope.to_dict()
        with self._world.cond:
            key = (self._api.scope_key(scope), language_code)
            return [(c["command"], c["description"]) for c in self._world.commands.get(key, [])]

    def visible_commands(
        self, user: FakeUser, group: FakeGroup | None = None
    ) -> list[tuple[str, str]]:
        """The command menu `user` sees (in their chat with the bot, or in `group`).

        Follows Telegram's documented lookup: the narrowest scope that has a list wins,
        and within a scope the user's language before the language-less list.
        """
        uid = user.id
        scopes: list[ScopeKey]
        if group is None:
            scopes = [("chat", uid, None), ("all_private_chats", None, None)]
        else:
            gid = group.id
            with self._world.cond:
                admin = uid in self._world.chats[gid].admins
            scopes = [("chat_member", gid, uid)]
            scopes += [("chat_administrators", gid, None)] if admin else []
            scopes += [("chat", gid, None)]
            scopes += [("all_chat_administrators", None, None)] if admin else []
            scopes += [("all_group_chats", None, None)]
        scopes.append(("default", None, None))
        languages = [user.language_code or "", ""]
        with self._world.cond:
            for scope in scopes:
                for language in languages:
                    found = self._world.commands.get((scope, language))
                    if found:
                        return [(c["command"], c["description"]) for c in found]
        return []

    # --- waiting ----------------------------------------------------------------------

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109 - its TimeoutError lists recent bot calls
        *,
        recheck: float = 0.05,
    ) -> T:
        """Await the first truthy value of `predicate`.

        The predicate is re-checked at once after every change in the fake (each bot API
        call, each user action), so waiting on transcripts costs no sleeping. State the
        fake cannot see (the bot's database, an error list) is re-checked every `recheck`
        seconds as well. It runs on the caller's event loop. Raises TimeoutError naming
        the recent bot calls.
        """
        return await self._world.wait_for(predicate, timeout, recheck)

    def wait_for_sync(
        self, predicate: Callable[[], T], timeout: float = 5.0, *, recheck: float = 0.05
    ) -> T:
        """`wait_for` for code without an event loop (the bot in another thread/process).

        The predicate runs with the fake's lock held: keep it to reading the fake.
        """
        return self._world.wait_for_sync(predicate, timeout, recheck)

    async def wait_idle(
        self,
        timeout: float = 5.0,  # noqa: ASYNC109 - its TimeoutError lists recent bot calls
        quiet: float = 0.1,
    ) -> None:
        """Await the bot having taken every update and then gone `quiet` seconds silent.

        Idle means: no update is left unconfirmed (the bot fetched each one and confirmed
        it with a later offset), no bot call is in progress, and neither a bot call nor a
        user action happened for `quiet` seconds. An open long poll doesn't count. A
        handler that computes longer than `quiet` without calling the API looks idle:
        prefer `wait_for` with a predicate on what the handler produces.
        """
        await self._world.wait_idle(timeout, quiet)

    def wait_idle_sync(self, timeout: float = 5.0, quiet: float = 0.1) -> None:
        self._world.wait_idle_sync(timeout, quiet)

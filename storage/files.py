"""The file store: every byte a user sent or the bot generated, content-addressed.

A file lives at `<root>/<sha[:2]>/<sha>`; its name, sender and meaning live in the
database. Writing goes to a temporary file, is fsynced, then renamed into place, so a
crash leaves either the whole file or nothing. Reading verifies the hash: a damaged file
is reported, never sent.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from pathlib import Path


class FileCorrupt(RuntimeError):
    def __init__(self, sha256: str, path: Path) -> None:
        super().__init__(f"stored file {path} does not match its hash {sha256}")
        self.sha256 = sha256
        self.path = path


class FileMissing(FileNotFoundError):
    pass


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def put_sync(self, data: bytes) -> str:
        digest = sha256_hex(data)
        target = self.path_of(digest)
        if target.exists() and sha256_hex(target.read_bytes()) == digest:
            return digest  # already stored whole; a damaged copy is rewritten below
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        return digest

    def get_sync(self, sha256: str) -> bytes:
        path = self.path_of(sha256)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise FileMissing(str(path)) from None
        if sha256_hex(data) != sha256:
            raise FileCorrupt(sha256, path)
        return data

    async def put(self, data: bytes) -> str:
        return await asyncio.to_thread(self.put_sync, data)

    async def get(self, sha256: str) -> bytes:
        return await asyncio.to_thread(self.get_sync, sha256)

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).exists()


def write_copy(folder: Path, name: str, data: bytes) -> Path:
    """A readable copy outside the store (generated documents for the office's own
    filing), replaced atomically; the store stays the source of truth."""
    if "/" in name or "\\" in name or name in ("", ".", ".."):
        raise ValueError(f"not a plain file name: {name!r}")
    folder.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".copy-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        target = folder / name
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def _fsync_dir(path: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

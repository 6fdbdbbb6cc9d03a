"""Where photo files live: one small protocol, two backends, one contract test over both.

- :class:`FolderStorage`: files under a folder (the embedded default: ``photos/`` beside the SQLite
  database in the data folder), each written to a temporary name and renamed, so a file is whole or
  absent;
- :class:`DatabaseStorage`: rows of the ``photo_blobs`` table (a server deployment, PostgreSQL),
  written in the caller's transaction.

Keys are content addresses: ``<sha256 of the original>/<variant>`` (``original``, ``working``,
``thumb_256``, ``thumb_1024``), so a photo attached twice is stored once and nothing is overwritten
with different bytes. :func:`storage_for` picks the backend of a store. An S3-compatible backend would
be a third class with the same four methods; it is not built (nothing here could test it).

Examples
--------
>>> from workbench.store import open_store
>>> s = storage_for(open_store("sqlite://"))
>>> s.name
'database'
>>> s.put("ab/original", b"x"), s.get("ab/original"), s.exists("ab/none")
(True, b'x', False)
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from workbench.i18n import _
from workbench.photos.models import PHOTO_BLOBS
from workbench.store import Store

__all__ = ["PhotoStorage", "FolderStorage", "DatabaseStorage", "storage_for", "VARIANTS"]

#: The files kept for each photo
VARIANTS = ("original", "working", "thumb_256", "thumb_1024")
_KEY = re.compile(r"^[0-9a-f]{2,64}/[a-z0-9_]+$")


def _check_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(_("not a photo storage key: {key!r}", key=key))
    return key


class PhotoStorage(Protocol):
    """Put, get, test and remove the bytes of one key. ``conn``: the caller's transaction (used by the
    database backend; the folder backend writes at once and the caller removes what it wrote if its
    transaction fails)."""

    name: str

    def put(self, key: str, data: bytes, conn: Connection | None = None) -> bool:
        """Store ``data`` under ``key``; False when the key already held it (nothing written)."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes of ``key`` (KeyError when absent)."""
        ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str, conn: Connection | None = None) -> None: ...


class FolderStorage:
    name = "folder"

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        digest, variant = _check_key(key).split("/")
        return self.root / digest[:2] / digest / f"{variant}.bin"

    def put(self, key: str, data: bytes, conn: Connection | None = None) -> bool:
        path = self._path(key)
        if path.exists():
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return True

    def get(self, key: str) -> bytes:
        path = self._path(key)
        if not path.exists():
            raise KeyError(key)
        return path.read_bytes()

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def delete(self, key: str, conn: Connection | None = None) -> None:
        self._path(key).unlink(missing_ok=True)


class DatabaseStorage:
    name = "database"

    def __init__(self, store: Store) -> None:
        self.store = store

    def put(self, key: str, data: bytes, conn: Connection | None = None) -> bool:
        _check_key(key)
        if conn is None:
            with self.store.connect() as c:
                return self.put(key, data, c)
        if conn.execute(sa.select(PHOTO_BLOBS.c.key).where(PHOTO_BLOBS.c.key == key)).first():
            return False
        conn.execute(sa.insert(PHOTO_BLOBS).values(key=key, data=data, size=len(data)))
        return True

    def get(self, key: str) -> bytes:
        with self.store.engine.connect() as c:
            data = c.execute(
                sa.select(PHOTO_BLOBS.c.data).where(PHOTO_BLOBS.c.key == _check_key(key))
            ).scalar()
        if data is None:
            raise KeyError(key)
        return bytes(data)

    def exists(self, key: str) -> bool:
        with self.store.engine.connect() as c:
            return c.execute(sa.select(PHOTO_BLOBS.c.key).where(PHOTO_BLOBS.c.key == key)).first() is not None

    def delete(self, key: str, conn: Connection | None = None) -> None:
        if conn is None:
            with self.store.connect() as c:
                return self.delete(key, c)
        conn.execute(sa.delete(PHOTO_BLOBS).where(PHOTO_BLOBS.c.key == key))
        return None


def storage_for(store: Store) -> FolderStorage | DatabaseStorage:
    """The backend of ``store``: a folder ``photos`` beside a SQLite file (the embedded default), the
    database itself otherwise (PostgreSQL, or SQLite in memory)."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return FolderStorage(Path(str(url.database)).parent / "photos")
    return DatabaseStorage(store)

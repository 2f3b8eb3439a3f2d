"""Engine and session factory for the store: SQLite by default, PostgreSQL by URL.

:func:`get_database` returns one :class:`Database` per URL, migrated to the
newest schema on first use (Alembic, :func:`upgrade_to_head`).

SQLite connections get ``journal_mode=WAL``, ``busy_timeout`` and
``foreign_keys=ON``. Python's sqlite3 module would otherwise open transactions
lazily (``BEGIN DEFERRED``), where two writers that both read first deadlock on
the upgrade to a write lock; so write sessions start with ``BEGIN IMMEDIATE``
(one writer at a time, readers never blocked thanks to WAL) and read sessions
with a plain ``BEGIN``. A new SQLite file is created 0600 (its ``-wal`` and
``-shm`` follow) in folders created 0700, whatever the umask.

On PostgreSQL, writes that must not race take row locks
(``SELECT ... FOR UPDATE``) or a transaction-scoped advisory lock; see
:mod:`exportguard.store.licences` and :mod:`exportguard.store.audit`.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session, sessionmaker

from exportguard.errors import InputError

SQLITE_BUSY_TIMEOUT_MS = 30_000


def normalize_url(url: str) -> str:
    """A plain file path means SQLite; ``postgresql://`` means PostgreSQL through psycopg 3."""
    url = url.strip()
    if "://" not in url:
        return f"sqlite:///{Path(url).expanduser().resolve()}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def redact(url: str) -> str:
    """The URL without its password, for messages and logs."""
    return make_url(url).render_as_string(hide_password=True)


def is_sqlite(url_or_engine: str | Engine) -> bool:
    if isinstance(url_or_engine, str):
        return make_url(url_or_engine).get_backend_name() == "sqlite"
    return url_or_engine.dialect.name == "sqlite"


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module (we emit BEGIN).
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if conn.get_execution_options().get("sqlite_immediate"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")


def _create_private_file(path: Path) -> None:
    """Create the SQLite file (and missing folders) readable by the owner only: 0600 and
    0700, whatever the umask. SQLite gives its ``-wal`` and ``-shm`` files the mode of the
    database file. An existing file keeps its mode."""
    missing: list[Path] = []
    d = path.parent
    while not d.exists():
        missing.append(d)
        d = d.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
            os.chmod(folder, 0o700)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def make_engine(url: str) -> Engine:
    """A new engine for ``url`` (no migration; see :func:`get_database`)."""
    url = normalize_url(url)
    if is_sqlite(url):
        db_path = make_url(url).database
        if db_path and db_path != ":memory:" and not db_path.startswith("file:"):
            _create_private_file(Path(db_path))
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            pool_size=20,
            max_overflow=40,
        )
        _install_sqlite_hooks(engine)
        return engine
    return create_engine(url, pool_size=20, max_overflow=60, pool_pre_ping=True)


@dataclass
class Database:
    """One store: an engine, a read session factory and a write session factory."""

    url: str
    engine: Engine

    def __post_init__(self) -> None:
        self._read = sessionmaker(self.engine, expire_on_commit=False)
        write_bind = (
            self.engine.execution_options(sqlite_immediate=True)
            if self.dialect == "sqlite"
            else self.engine
        )
        self._write = sessionmaker(write_bind, expire_on_commit=False)
        # SQLite: writers of this process queue on a lock instead of polling the file lock
        # (busy_timeout retries with sleeps, which starves some writers under load).
        self._write_lock = threading.Lock() if self.dialect == "sqlite" else None

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, write: bool = False) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error.

        ``write=True`` takes SQLite's write lock up front (``BEGIN IMMEDIATE``);
        use it for every transaction that writes.
        """
        try:
            if write and self._write_lock is not None:
                with self._write_lock, self._write() as session, session.begin():
                    yield session
                return
            factory = self._write if write else self._read
            with factory() as session, session.begin():
                yield session
        except DataError as exc:
            # a value the database cannot hold (a NUL character in text, text too long for
            # its column): the request's fault, rolled back, and told as such
            raise InputError("a value cannot be stored: text may not contain NUL characters "
                             "and must fit its field") from exc

    def dispose(self) -> None:
        self.engine.dispose()


_DATABASES: dict[str, Database] = {}
_LOCK = threading.Lock()


def get_database(url: str | None = None) -> Database:
    """The store at ``url`` (default: settings), migrated to head on first use in this process."""
    if url is None:
        from exportguard.settings import get_settings

        url = get_settings().db_url
    url = normalize_url(url)
    with _LOCK:
        db = _DATABASES.get(url)
        if db is None:
            upgrade_to_head(url)
            db = Database(url=url, engine=make_engine(url))
            _DATABASES[url] = db
        return db


def forget_database(url: str) -> None:
    """Dispose of the cached engine of ``url`` (its pooled connections close)."""
    with _LOCK:
        db = _DATABASES.pop(normalize_url(url), None)
    if db is not None:
        db.dispose()


def forget_databases() -> None:
    """Dispose of every cached engine (tests, or after a fork)."""
    with _LOCK:
        for db in _DATABASES.values():
            db.dispose()
        _DATABASES.clear()


def upgrade_to_head(url: str) -> None:
    """Create or migrate the schema at ``url`` to the newest Alembic revision.

    Safe to call from several processes at once on PostgreSQL (an advisory lock
    serialises them); on SQLite the migration runs inside ``BEGIN IMMEDIATE``.
    """
    from alembic import command
    from alembic.config import Config
    from sqlalchemy import text

    url = normalize_url(url)
    engine = make_engine(url)
    try:
        cfg = Config()
        cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        opts = {"sqlite_immediate": True} if is_sqlite(url) else {}
        with engine.connect().execution_options(**opts) as conn:
            if not is_sqlite(url):
                conn.execute(text("SELECT pg_advisory_lock(7316021)"))
                conn.commit()
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            finally:
                if not is_sqlite(url):
                    conn.execute(text("SELECT pg_advisory_unlock(7316021)"))
                    conn.commit()
    finally:
        engine.dispose()

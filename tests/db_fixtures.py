"""Database fixtures: a throwaway PostgreSQL server, fresh databases, and the ``db_url`` matrix.

``EXPORTGUARD_TEST_PG_URL`` (a server URL whose user may ``CREATE DATABASE``)
is used when set. Otherwise a PostgreSQL server is started for the session
with ``initdb`` + ``pg_ctl`` in a temporary directory, on 127.0.0.1 and a free
port (as the ``postgres`` user when the tests run as root, since PostgreSQL
refuses to run as root). PostgreSQL tests are skipped, with the reason, only
when no PostgreSQL binaries are installed.

``db_url`` is parametrized over ``sqlite`` and ``postgresql``: every test that
takes it runs on both backends, each time on a new, empty database.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pg_bindir() -> Path | None:
    pg_config = shutil.which("pg_config")
    candidates: list[str] = []
    if pg_config:
        with contextlib.suppress(Exception):
            candidates.append(subprocess.run([pg_config, "--bindir"], capture_output=True,
                                             text=True, check=True).stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    candidates += ["/usr/local/pgsql/bin", "/usr/local/bin", "/usr/bin"]
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    return None


def _run_as() -> tuple[list[str], int | None, int | None]:
    """Command prefix (and uid/gid) to run PostgreSQL as a non-root user when we are root."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        return ([shutil.which("setpriv") or "setpriv", f"--reuid={pw.pw_uid}",
                 f"--regid={pw.pw_gid}", "--clear-groups"], pw.pw_uid, pw.pw_gid)
    raise RuntimeError("running as root and no 'postgres' or 'nobody' user to run PostgreSQL")


class PgServer:
    def __init__(self, base_url: str, stop: Callable[[], None] | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._stop = stop

    def admin_url(self) -> str:
        return self.base_url.rsplit("/", 1)[0] + "/postgres"

    def new_database(self) -> str:
        """A new, empty database; its SQLAlchemy URL."""
        import psycopg

        name = f"eg_{uuid.uuid4().hex[:12]}"
        admin = self.admin_url().replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.base_url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        if self._stop:
            self._stop()


def _start_pg(bindir: Path) -> PgServer:
    prefix, uid, gid = _run_as()
    root = Path(tempfile.mkdtemp(prefix="eg-pg-"))
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    if uid is not None:
        os.chmod(root, 0o755)
        for p in (root, sock):
            os.chown(p, uid, gid or -1)
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    subprocess.run([*prefix, str(bindir / "initdb"), "-D", str(data), "-U", "postgres",
                    "-A", "trust", "-E", "UTF8", "--no-sync"],
                   check=True, capture_output=True, env=env)
    port = free_port()
    opts = (f"-p {port} -k {sock} -h 127.0.0.1 -F -c max_connections=300 "
            "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB")
    subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(root / "log"),
                    "-o", opts, "-w", "-t", "60", "start"], check=True, capture_output=True,
                   env=env)

    def stop() -> None:
        subprocess.run([*prefix, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "-w", "stop"], capture_output=True, env=env)
        shutil.rmtree(root, ignore_errors=True)

    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    deadline = time.monotonic() + 30
    import psycopg

    while True:
        try:
            psycopg.connect(url.replace("+psycopg", ""), connect_timeout=2).close()
            break
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                stop()
                raise
            time.sleep(0.2)
    return PgServer(url, stop)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    configured = os.environ.get("EXPORTGUARD_TEST_PG_URL")
    if configured:
        from exportguard.store.db import normalize_url

        yield PgServer(normalize_url(configured))
        return
    bindir = _pg_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL tests skipped: no PostgreSQL binaries (initdb, pg_ctl) found; "
                    "install the 'postgresql' package or set EXPORTGUARD_TEST_PG_URL")
    server = _start_pg(bindir)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty store on each backend (the same test runs on both)."""
    from exportguard.store.db import forget_database

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'exportguard.db'}"
    else:
        server: PgServer = request.getfixturevalue("pg_server")
        url = server.new_database()
    yield url
    forget_database(url)  # close its pooled connections

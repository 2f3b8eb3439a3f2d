"""Settings read once from the environment; nothing else in the package reads ``os.environ``.

Variables:
- ``EXPORTGUARD_HOME``: where snapshots, caches and the database live
  (default ``$XDG_DATA_HOME/exportguard`` or ``~/.local/share/exportguard``).
- ``EXPORTGUARD_DB``: SQLAlchemy URL of the store (default: SQLite file in the home).
- ``EXPORTGUARD_ALLOW_STALE_LISTS``: ``1`` turns stale-list holds into warnings.
- ``EXPORTGUARD_OFFLINE``: ``1`` forbids any download (``lists update`` says so).
- ``EXPORTGUARD_DEBUG``: ``1`` shows tracebacks instead of one-line errors.
- ``EXPORTGUARD_MAX_BODY_BYTES``: the largest request body the server reads, and the
  largest shipment file ``exportguard screen FILE`` reads (default 5 MiB; a number
  of bytes, or with a ``K``/``M`` suffix for KiB/MiB: ``512K``, ``10M``). A larger
  request is answered 413 before its body is read and before authentication.
- ``EXPORTGUARD_SESSION_HOURS``, ``EXPORTGUARD_LOGIN_*``: web sessions and sign-in
  throttling (into ``Settings.extra``; see ``service/sessions.SessionPolicy`` and docs/web.md).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _default_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "exportguard"


# Read into ``Settings.extra`` (lower case, without the prefix) when set.
EXTRA_VARIABLES = (
    "EXPORTGUARD_SESSION_HOURS",
    "EXPORTGUARD_LOGIN_ACCOUNT_LIMIT",
    "EXPORTGUARD_LOGIN_ACCOUNT_LOCK_MINUTES",
    "EXPORTGUARD_LOGIN_ACCOUNT_LOCK_MAX_MINUTES",
    "EXPORTGUARD_LOGIN_ACCOUNT_MEMORY_HOURS",
    "EXPORTGUARD_LOGIN_ADDRESS_LIMIT",
    "EXPORTGUARD_LOGIN_ADDRESS_WINDOW_MINUTES",
)


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str
    allow_stale_lists: bool = False
    offline: bool = False
    debug: bool = False
    extra: dict[str, str] = field(default_factory=dict)
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES

    @property
    def lists_dir(self) -> Path:
        return self.home / "lists"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


def _size(name: str, default: int) -> int:
    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return default
    units = {"K": 1024, "M": 1024 * 1024}
    factor = units.get(raw[-1].upper(), 1)
    digits = raw[:-1] if factor > 1 else raw
    if not digits.isdigit() or not digits.isascii() or int(digits) * factor < 1024:
        raise ValueError(f"{name}={raw!r}: give a size in bytes of at least 1024, "
                         "optionally with K or M (e.g. 5242880 or 5M)")
    return int(digits) * factor


def load_settings() -> Settings:
    """Read the environment (call :func:`get_settings` for the cached value)."""
    home = Path(os.environ.get("EXPORTGUARD_HOME") or _default_home()).expanduser()
    db_url = os.environ.get("EXPORTGUARD_DB") or f"sqlite:///{home / 'exportguard.db'}"
    return Settings(
        home=home,
        db_url=db_url,
        allow_stale_lists=_truthy(os.environ.get("EXPORTGUARD_ALLOW_STALE_LISTS")),
        offline=_truthy(os.environ.get("EXPORTGUARD_OFFLINE")),
        debug=_truthy(os.environ.get("EXPORTGUARD_DEBUG")),
        max_body_bytes=_size("EXPORTGUARD_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES),
        extra={name.removeprefix("EXPORTGUARD_").lower(): os.environ[name]
               for name in EXTRA_VARIABLES if os.environ.get(name, "").strip()},
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment)."""
    get_settings.cache_clear()

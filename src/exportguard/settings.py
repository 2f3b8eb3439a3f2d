"""Settings read once from the environment; nothing else in the package reads ``os.environ``.

Variables:
- ``EXPORTGUARD_HOME``: where snapshots, caches and the database live
  (default ``$XDG_DATA_HOME/exportguard`` or ``~/.local/share/exportguard``).
- ``EXPORTGUARD_DB``: SQLAlchemy URL of the store (default: SQLite file in the home).
- ``EXPORTGUARD_ALLOW_STALE_LISTS``: ``1`` turns stale-list holds into warnings.
- ``EXPORTGUARD_OFFLINE``: ``1`` forbids any download (``lists update`` says so).
- ``EXPORTGUARD_DEBUG``: ``1`` shows tracebacks instead of one-line errors.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _default_home() -> Path:
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "exportguard"


@dataclass(frozen=True)
class Settings:
    home: Path
    db_url: str
    allow_stale_lists: bool = False
    offline: bool = False
    debug: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def lists_dir(self) -> Path:
        return self.home / "lists"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"


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
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment)."""
    get_settings.cache_clear()

"""Embedded default data: official list files and reference tables (see NOTICE in README)."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def data_path(*parts: str) -> Path:
    """Path of a file shipped inside the package under ``exportguard/data``."""
    return Path(str(files("exportguard").joinpath("data", *parts)))

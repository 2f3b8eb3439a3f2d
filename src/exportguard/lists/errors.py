"""Errors raised by the list parsers and the snapshot store."""

from __future__ import annotations


class ListFormatError(ValueError):
    """A list file is broken, truncated or not the format it was said to be.

    ``where`` names the file and the position (XML line/column, CSV row, sheet
    row) so the message alone tells a user what to look at.
    """

    def __init__(self, message: str, where: str = "") -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class SnapshotError(RuntimeError):
    """A snapshot could not be written, or a load was refused (with the reason)."""

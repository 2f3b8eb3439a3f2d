"""The service layer's user errors (defined in :mod:`exportguard.errors`, re-exported here)."""

from exportguard.errors import ConflictError, InputError, ListsUnavailableError, NotFoundError

__all__ = ["ConflictError", "InputError", "ListsUnavailableError", "NotFoundError"]

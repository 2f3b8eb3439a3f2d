"""Errors for problems a user can fix, shared by every layer (the store raises them too).

The faces turn them into a clear message: exit 2 on the CLI, a JSON 4xx in
the HTTP API, a form error in the web UI.
"""

from __future__ import annotations


class InputError(ValueError):
    """Invalid input: the message says what is wrong and where (field, row, line)."""


class NotFoundError(LookupError):
    """A record the user asked for does not exist."""


class ConflictError(RuntimeError):
    """The request conflicts with the current state (e.g. a case already closed)."""


class ListsUnavailableError(RuntimeError):
    """The list data needed to answer is missing, corrupt or cannot be indexed.

    A name check must not answer "no match" then (fail closed): the message says
    what is wrong and how to get lists (``lists update`` / ``lists import DIR``).
    """

"""Bounded input for the whole server (API and web UI): body size, JSON depth, query names.

- :class:`BodyLimitMiddleware` (pure ASGI, the outermost check after the server's
  own error handler): a ``Content-Length`` above the limit is answered 413 at
  once, before any of the body is read and before authentication; a body without
  ``Content-Length`` (chunked) is counted as it streams in and cut at the limit
  (413). The server discards what a client still sends after the 413.
- :class:`ApiRoute` (the route class of every ``/api/v1`` router): the JSON body
  is checked by :func:`exportguard.contracts.jsoninput.check_json` (nesting depth)
  before it is parsed, text that is not UTF-8 is a 422 like any malformed JSON,
  and a query parameter the route does not declare is a 422 (as an unknown body
  field is), so a misspelt ``?decison=HOLD`` is not silently ignored.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from exportguard.api.errors import ApiError, error_body
from exportguard.contracts.jsoninput import JsonLimitError, check_json


class _BodyTooLarge(Exception):
    """Raised into the app from ``receive`` when a streamed body passes the limit."""


def _too_large_body(limit: int) -> bytes:
    return json.dumps(error_body(
        "body_too_large",
        f"request body larger than {limit:,} bytes: the server reads no more "
        "(EXPORTGUARD_MAX_BODY_BYTES)")).encode()


class BodyLimitMiddleware:
    """Refuse request bodies larger than ``max_bytes`` with a JSON 413, reading none of it."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def _refuse(self, send: Send) -> None:
        body = _too_large_body(self.max_bytes)
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(send)  # nothing read: the server discards the body
            return

        received = 0
        tripped = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, tripped
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    tripped = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if tripped and not started:
                return  # whatever the app makes of the cut body, the answer is the 413
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not tripped or started:
                raise
        if tripped and not started:
            await self._refuse(send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed Content-Length itself
    return None


class _BoundedJsonRequest(Request):
    """A request whose JSON body is checked for depth before it is parsed."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                check_json(body, source="body")
            except JsonLimitError as exc:
                raise ApiError(422, "validation_error", f"invalid request: {exc}") from None
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError as exc:  # FastAPI answers this 422, as bad JSON
                raise json.JSONDecodeError(f"not UTF-8 text ({exc.reason})",
                                           body.decode("utf-8", "replace"), exc.start) from None
            self._json = json.loads(text)
        return self._json


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters a route declares, its dependencies' included."""
    names: set[str] = set()
    stack = [dependant]
    while stack:
        current = stack.pop()
        names.update(field.alias for field in current.query_params)
        stack.extend(current.dependencies)
    return names


class ApiRoute(APIRoute):
    """Every ``/api/v1`` route: bounded JSON bodies and no undeclared query parameters."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        declared = _query_names(self.dependant)

        async def route(request: Request) -> Response:
            unknown = [name for name in request.query_params if name not in declared]
            if unknown:
                raise RequestValidationError([
                    {"type": "extra_forbidden", "loc": ("query", name),
                     "msg": "Extra inputs are not permitted", "input": request.query_params[name]}
                    for name in dict.fromkeys(unknown)])
            return await handler(_BoundedJsonRequest(request.scope, request.receive))

        return route

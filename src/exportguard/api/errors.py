"""JSON errors: every failure is ``{"error": <kind>, "message": <what to fix>}`` with a 4xx status.

A malformed body or parameter is a 422 whose message names the field
(``body.items[0].hs_code: ...``); service errors map to 401/403/404/409/422;
a body over the limit is a 413 (:mod:`exportguard.api.limits`); lists that
cannot be read are a 503; anything unexpected is a 500 with a generic message
(and is logged), never a traceback. :func:`responses` declares these in the
OpenAPI document with the :class:`ErrorOut` model, route by route.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from exportguard.service.auth import ForbiddenError
from exportguard.service.errors import (
    ConflictError,
    InputError,
    ListsUnavailableError,
    NotFoundError,
)

log = logging.getLogger("exportguard.api")


class ApiError(StarletteHTTPException):
    """An error answered as ``{"error", "message"}`` with ``status``. An HTTP exception, so
    FastAPI lets it through when it is raised while the request body is read."""

    def __init__(self, status: int, error: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(status, message, headers)
        self.status, self.error, self.message = status, error, message


def error_body(error: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": error, "message": message, **extra}


class ErrorDetail(BaseModel):
    field: str = Field(description="where: body.items[0].hs_code, query.since, ...")
    message: str
    type: str | None = None


class ErrorOut(BaseModel):
    """Every error the API answers (4xx, 503)."""

    error: str = Field(description="the kind: unauthorized, forbidden, not_found, conflict, "
                                   "body_too_large, validation_error, invalid_input, "
                                   "lists_unavailable, ...")
    message: str = Field(description="what is wrong and what to do, in plain words")
    details: list[ErrorDetail] | None = Field(
        None, description="validation errors: one entry per field")


_RESPONSES: dict[int, str] = {
    401: "no API token, or an unknown, revoked or expired one",
    403: "the token's role does not allow this",
    404: "no such record",
    409: "the request conflicts with the record's current state",
    413: "the request body is larger than the server accepts (EXPORTGUARD_MAX_BODY_BYTES, "
         "default 5 MiB); refused before the body is read and before authentication",
    422: "the request is malformed or invalid: JSON syntax, JSON nested deeper than 64 "
         "levels, a field or parameter that does not validate, an unknown query parameter, "
         "or a rule of the service; the message names the field",
    503: "the sanctions lists cannot be read (none loaded, or broken): nothing is answered",
}


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entries of these error statuses, with :class:`ErrorOut`."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"model": ErrorOut, "description": _RESPONSES[status]}
        if status == 401:
            entry["headers"] = {"WWW-Authenticate": {
                "description": "Bearer", "schema": {"type": "string"}}}
        out[status] = entry
    return out


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif isinstance(part, str) and (part.startswith(("function-", "constrained-"))
                                        or part in {"str", "int", "float"}):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def validation_message(errors: list[Any], limit: int = 10) -> tuple[str, list[dict[str, Any]]]:
    lines: list[str] = []
    details: list[dict[str, Any]] = []
    for err in errors:
        path = _path(tuple(err.get("loc", ())))
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        kind = err.get("type")
        if kind == "missing":
            msg = "required field is missing"
        elif kind == "extra_forbidden":
            msg = "unknown parameter" if path.startswith("query.") else "unknown field"
        elif kind == "json_invalid":
            msg = f"invalid JSON ({err.get('ctx', {}).get('error', 'cannot parse')})"
        line = f"{path}: {msg}" if path else msg
        if line not in lines:
            lines.append(line)
            details.append({"field": path, "message": msg, "type": kind})
    text = "; ".join(lines[:limit]) + (f"; and {len(lines) - limit} more"
                                       if len(lines) > limit else "")
    return f"invalid request: {text}", details


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> JSONResponse:
        message, details = validation_message(list(exc.errors()))
        return JSONResponse(status_code=422,
                            content=error_body("validation_error", message, details=details))

    @app.exception_handler(ApiError)
    async def _api(_req: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content=error_body(exc.error, exc.message),
                            headers=exc.headers)

    @app.exception_handler(InputError)
    async def _input(_req: Request, exc: InputError) -> JSONResponse:
        return JSONResponse(status_code=422, content=error_body("invalid_input", str(exc)))

    @app.exception_handler(NotFoundError)
    async def _not_found(_req: Request, exc: NotFoundError) -> JSONResponse:
        return JSONResponse(status_code=404, content=error_body("not_found", str(exc.args[0])
                                                                if exc.args else "not found"))

    @app.exception_handler(ConflictError)
    async def _conflict(_req: Request, exc: ConflictError) -> JSONResponse:
        return JSONResponse(status_code=409, content=error_body("conflict", str(exc)))

    @app.exception_handler(ListsUnavailableError)
    async def _lists(_req: Request, exc: ListsUnavailableError) -> JSONResponse:
        return JSONResponse(status_code=503, content=error_body("lists_unavailable", str(exc)))

    @app.exception_handler(ForbiddenError)
    async def _forbidden(_req: Request, exc: ForbiddenError) -> JSONResponse:
        return JSONResponse(status_code=403, content=error_body("forbidden", str(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: "no such endpoint: see /docs for the API",
                    405: "method not allowed on this endpoint: see /docs"}
        detail = exc.detail if isinstance(exc.detail, str) else None
        message = messages.get(exc.status_code, detail or "request failed")
        kind = {404: "not_found", 405: "method_not_allowed",
                413: "body_too_large"}.get(exc.status_code, "http_error")
        return JSONResponse(status_code=exc.status_code, content=error_body(kind, message),
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _unexpected(req: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", req.method, req.url.path)
        return JSONResponse(status_code=500, content=error_body(
            "internal_error", "unexpected server error; it has been logged"))

"""The one place that maps errors to HTTP: a table from DomainError type/code to status, and one
body shape ``{code, message, details, request_id}`` for every error the API returns."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from core.errors import (
    AuthenticationError,
    CalendarError,
    ConflictError,
    DomainError,
    ExternalServiceError,
    InvalidTransitionError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from core.messages import MESSAGES, message_for

log = logging.getLogger(__name__)

# Most specific first: the first matching type wins.
STATUS_BY_TYPE: tuple[tuple[type[DomainError], int], ...] = (
    (AuthenticationError, 401),
    (PermissionDeniedError, 403),
    (NotFoundError, 404),
    (InvalidTransitionError, 409),
    (ConflictError, 409),
    (ValidationError, 422),
    (CalendarError, 422),
    (ExternalServiceError, 503),
)
# Codes whose class does not say enough.
STATUS_BY_CODE: dict[str, int] = {
    "work_order.stale": 409,
}
HEADER = "X-Request-ID"


def status_for(error: DomainError) -> int:
    if error.code in STATUS_BY_CODE:
        return STATUS_BY_CODE[error.code]
    for kind, status in STATUS_BY_TYPE:
        if isinstance(error, kind):
            return status
    return 400


def request_id(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    return rid if isinstance(rid, str) else "-"


def error_body(
    request: Request, code: str, message: str, details: dict[str, Any]
) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details, "request_id": request_id(request)}


def _text(error: DomainError) -> str:
    text = message_for(error.code, error.details, error.message)
    return error.message if text == MESSAGES["domain.error"] else text


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    if status >= 500:
        log.warning("request %s: %s", request_id(request), exc.message)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(
        error_body(request, exc.code, _text(exc), exc.details), status, headers=headers
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    fields = [
        {
            "field": ".".join(str(p) for p in err.get("loc", ())),
            "message": err.get("msg", ""),
            "type": err.get("type", ""),
        }
        for err in exc.errors()
    ]
    message = "；".join(f"{f['field']}: {f['message']}" for f in fields)
    return JSONResponse(
        error_body(
            request,
            "validation.invalid",
            message_for("validation.invalid", {}, message),
            {"errors": fields},
        ),
        422,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    code = {404: "http.not_found", 405: "http.method_not_allowed", 401: "auth.unauthenticated"}
    name = code.get(exc.status_code, f"http.{exc.status_code}")
    return JSONResponse(
        error_body(request, name, str(exc.detail), {}),
        exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("request %s failed", request_id(request), exc_info=exc)
    return JSONResponse(
        error_body(request, "internal.error", "服务器内部错误，请稍后重试。", {}), 500
    )


def install(app: FastAPI) -> None:
    @app.middleware("http")
    async def _request_id(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get(HEADER, "")
        rid = incoming if 0 < len(incoming) <= 64 else uuid.uuid4().hex
        request.state.request_id = rid
        response = await call_next(request)
        response.headers[HEADER] = rid
        return response

    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)

"""One mapping from failures to answers: JSON problems on the API, pages elsewhere."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote, urlsplit

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy import exc as sa_exc

from commons.errors import DomainError, NotAuthenticated, TooManyAttempts
from commons.web.forms import safe_next

logger = logging.getLogger(__name__)


def _is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def _after_login(request: Request[Any, Any, Any]) -> str:
    """Where to go once signed in: the page asked for, or the page a refused form was posted from."""
    if request.method == "GET":
        return request.url.path
    referer = urlsplit(request.headers.get("referer", ""))
    return safe_next(referer.path if referer.netloc in ("", request.url.netloc) else None)


# Seconds a client is asked to wait when the database is unavailable: about what a restart takes.
RETRY_AFTER_SECONDS = 5


def _answer(
    request: Request[Any, Any, Any],
    status_code: int,
    message: str,
    extra: object = None,
    headers: dict[str, str] | None = None,
) -> Response[Any]:
    headers = dict(headers or {})
    if _is_api(request):
        body: dict[str, object] = {"status_code": status_code, "detail": message}
        if extra:
            body["extra"] = extra
        if status_code == 401:
            headers["WWW-Authenticate"] = "Bearer"
        return Response(body, status_code=status_code, media_type=MediaType.JSON, headers=headers)
    if status_code == 401:
        return Redirect(f"/login?next={quote(_after_login(request))}")
    return Template(
        "error.html",
        context={"status_code": status_code, "message": message},
        status_code=status_code,
        headers=headers,
    )


def domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    answer = _answer(request, exc.status_code, exc.message)
    if isinstance(exc, TooManyAttempts):
        answer.headers["Retry-After"] = str(exc.retry_after)
    return answer


def invalid_data(request: Request[Any, Any, Any], exc: msgspec.ValidationError) -> Response[Any]:
    return _answer(request, 400, f"Données invalides : {exc}")


def validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    return _answer(request, exc.status_code, exc.detail, exc.extra)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    messages = {404: "Page introuvable.", 405: "Méthode non autorisée."}
    return _answer(request, exc.status_code, messages.get(exc.status_code, exc.detail))


def _database_unavailable(exc: Exception) -> bool:
    """Whether the failure is the database (or the network to it) not answering, rather than a bug.

    A server that refuses connections surfaces as an ``OSError`` or an ``OperationalError``, one that
    stopped answering as a ``TimeoutError`` (connect or command timeout, the pool's own timeout), a
    connection lost in the middle as an invalidated ``DBAPIError``.
    """
    if isinstance(exc, sa_exc.DBAPIError):
        return exc.connection_invalidated or isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError)
    return isinstance(exc, TimeoutError | ConnectionError | sa_exc.TimeoutError)


def internal_error(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    if _database_unavailable(exc):
        # A known, passing condition: one line in the log, and an answer that says when to come back.
        logger.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
        return _answer(
            request,
            HTTP_503_SERVICE_UNAVAILABLE,
            "Service momentanément indisponible : réessayez dans quelques secondes.",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return _answer(request, HTTP_500_INTERNAL_SERVER_ERROR, "Erreur interne : l'équipe est prévenue.")


EXCEPTION_HANDLERS = {
    NotAuthenticated: domain_error,
    DomainError: domain_error,
    msgspec.ValidationError: invalid_data,
    ValidationException: validation_error,
    HTTPException: http_error,
    Exception: internal_error,
}

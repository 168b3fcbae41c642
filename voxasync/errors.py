"""Every error the SDK raises.

The tree::

    VoxError                           anything this SDK raises on purpose
    ├── BatchAborted                   a batch's id source failed (``.outcomes``, ``__cause__``;
    │                                  defined in ``_batch``, beside what it reports)
    ├── APIConnectionError             no usable HTTP answer (refused, reset, DNS, TLS)
    │   └── APITimeoutError            an attempt or the overall deadline ran out
    ├── APIResponseValidationError     a 2xx answer whose body does not fit the model
    └── APIStatusError                 the server answered with a 4xx or 5xx status
        ├── BadRequestError            400
        ├── AuthenticationError        401
        ├── PermissionDeniedError      403
        ├── NotFoundError              404
        ├── ConflictError              409
        ├── UnprocessableEntityError   422
        ├── RateLimitError             429 (``.retry_after``)
        └── InternalServerError        >= 500

Bad arguments are not ``VoxError``: they raise ``ValueError`` / ``TypeError`` before any
request is made. ``asyncio.CancelledError`` is never wrapped.

:func:`status_error_class` maps a status code to its class in one pure function;
:func:`make_status_error` builds the error from a raw answer, parsing the
``{"error": {"code", "message", "details"}}`` envelope when there is one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from multidict import CIMultiDict

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
    "VoxError",
    "make_status_error",
    "request_id_of",
    "status_error_class",
]

#: The headers a server may name its request id in, in the order they are looked for.
REQUEST_ID_HEADERS = ("x-request-id", "request-id")


def request_id_of(headers: Mapping[str, str]) -> str | None:
    """The request id an answer carries, or ``None``: what vox.ai support asks you for."""
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None

#: How much of an unparsed body an error keeps, for debugging.
BODY_PREVIEW_CHARS = 500

#: The most characters of server-sent text (a message, a code) an error's text holds; the
#: whole decoded body stays in ``APIStatusError.body``.
MESSAGE_CHARS = 1000


def clip(text: str, limit: int = MESSAGE_CHARS) -> str:
    """``text`` cut to ``limit`` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[:limit] + "…"


class VoxError(Exception):
    """Base class of every error this SDK raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The constructors take keyword-only arguments, which the default pickling cannot
        # pass: rebuild from the message and restore the attributes, so that errors survive
        # pickle (process pools, task queues) and copy.
        return (_rebuild_error, (type(self), self.args, self.__dict__.copy()))


def _rebuild_error(
    cls: type[VoxError], args: tuple[Any, ...], state: dict[str, Any]
) -> VoxError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class APIConnectionError(VoxError):
    """The request got no usable HTTP answer: refused, reset, DNS or TLS failure.

    Attributes:
        method: HTTP method of the request.
        url: URL of the request (no credentials are ever in it).
        request_may_have_been_sent: ``False`` only when the connection was never made, so
            the server cannot have acted on the request.
        stale_connection: the request failed on a pooled connection the server had already
            closed, before any byte of an answer came back. The SDK resends such a request
            once, at once, on a fresh connection, without spending a retry.

    Neither ``__cause__`` nor ``__context__`` is set to aiohttp's exception (whose
    ``request_info`` holds the request headers, the key included): the message names it.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        url: str = "",
        request_may_have_been_sent: bool = True,
        stale_connection: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.method = method
        self.url = url
        self.request_may_have_been_sent = request_may_have_been_sent
        self.stale_connection = stale_connection


class APITimeoutError(APIConnectionError):
    """An attempt, or the overall deadline across attempts, ran out of time."""


class APIResponseValidationError(VoxError):
    """A 2xx answer whose body is not JSON or does not fit the expected model.

    Attributes:
        status_code: the HTTP status of the answer.
        body: the body text, truncated to a few hundred characters.
        errors: one line per offending field, e.g. ``"expected int @ $.created_at"``.
    """

    def __init__(
        self, message: str, *, status_code: int, body: str, errors: list[str] | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.body = body
        self.errors = errors or []


class APIStatusError(VoxError):
    """The server answered with an error status.

    Attributes:
        status_code: the HTTP status.
        code: the envelope's ``error.code`` (e.g. ``"VALIDATION_ERROR"``), or ``None``.
        message: the envelope's ``error.message`` (often Korean), else a generic text.
        details: the envelope's ``error.details`` object, else ``{}``.
        body: the decoded JSON body if it was JSON, else the body text (truncated).
        headers: the response headers (no request headers, so no credentials).
        retry_after: seconds the server asked us to wait (``retry-after-ms`` or
            ``Retry-After``), or ``None`` if it did not say.
        request_id: the answer's ``x-request-id`` (or ``request-id``) header, for vox.ai
            support; ``None`` if it sent none.
    """

    status_code: int
    retry_after: float | None = None

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        code: str | None = None,
        details: Mapping[str, Any] | None = None,
        body: object = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details: Mapping[str, Any] = details if details is not None else {}
        self.body = body
        # A copy, case-insensitive like HTTP headers, and picklable (a proxy is not).
        self.headers: Mapping[str, str] = CIMultiDict(headers or {})
        super().__init__(self._summary())

    @property
    def request_id(self) -> str | None:
        return request_id_of(self.headers)

    def _summary(self) -> str:
        code = f" {clip(self.code, 100)}" if self.code else ""
        return f"HTTP {self.status_code}{code}: {clip(self.message)}"


class BadRequestError(APIStatusError):
    """400: the request was malformed (``VALIDATION_ERROR``)."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing, wrong or revoked."""


class PermissionDeniedError(APIStatusError):
    """403: the key may not do this."""


class NotFoundError(APIStatusError):
    """404: no such number in this organization."""


class ConflictError(APIStatusError):
    """409: the number is not in a state that allows this."""


class UnprocessableEntityError(APIStatusError):
    """422: the request was understood but refused."""


class RateLimitError(APIStatusError):
    """429: too many requests; ``retry_after`` says for how long, if the server said."""


class InternalServerError(APIStatusError):
    """5xx: the server or a gateway in front of it failed."""


_CLASS_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The error class for an HTTP error status; other 4xx fall back to ``APIStatusError``."""
    if status_code >= 500:
        return InternalServerError
    return _CLASS_BY_STATUS.get(status_code, APIStatusError)


def make_status_error(
    status_code: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    retry_after: float | None = None,
) -> APIStatusError:
    """Build the error for an error answer, whatever its body: envelope, other JSON, HTML, empty.

    ``retry_after`` is the wait the answer asked for, read from its headers by the caller.
    """
    text = body.decode("utf-8", errors="replace")
    decoded = _json_or_none(text)

    code: str | None = None
    message: str | None = None
    details: Mapping[str, Any] | None = None
    envelope = decoded.get("error") if isinstance(decoded, dict) else None
    if isinstance(envelope, dict):
        raw_code = envelope.get("code")
        code = clip(raw_code, 100) if isinstance(raw_code, str) else None
        raw_message = envelope.get("message")
        message = clip(raw_message) if isinstance(raw_message, str) else None
        raw_details = envelope.get("details")
        details = raw_details if isinstance(raw_details, dict) else None

    if message is None:
        if not text.strip():
            message = "empty response body"
        elif decoded is None:
            message = "non-JSON response body: " + _preview(text, 120)
        else:
            message = "response body without an error envelope"

    cls = status_error_class(status_code)
    error = cls(
        message,
        status_code=status_code,
        code=code,
        details=details,
        body=decoded if decoded is not None else _preview(text, BODY_PREVIEW_CHARS),
        headers=headers,
    )
    error.retry_after = retry_after
    return error


def _json_or_none(text: str) -> object:
    """The body decoded, or ``None`` when it is empty or not JSON, however hostile it is:
    nested ten thousand deep (``RecursionError``), an integer of a million digits, ..."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except (ValueError, RecursionError, MemoryError):
        return None


def _preview(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"

"""``AsyncVox``: configuration, life cycle, and the request pipeline every operation runs.

The pipeline (:meth:`AsyncVox._request`) is the one path from an operation to the wire:
pace → send (transport) → map status to error → structure the body (converter), retried by
the policy in ``_retry``. Operations themselves live in ``voxasync.resources``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import os
import platform
import sys
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final, Literal, Self, TypeVar
from urllib.parse import urlsplit

import aiohttp
import attrs

from . import _retry
from ._converter import decode_json, structure
from ._transport import RawResponse, Transport
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes, check_int, check_positive
from ._version import __version__
from .errors import (
    BODY_PREVIEW_CHARS,
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    InternalServerError,
    RateLimitError,
    VoxError,
    make_status_error,
)
from .resources.organization_telephone_numbers import AsyncOrganizationTelephoneNumbers

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_TIMEOUT", "AsyncVox", "CallOptions"]

logger = logging.getLogger("voxasync")

DEFAULT_BASE_URL: Final = "https://client-api.tryvox.co"

#: Per attempt: 5 s to connect, 30 s for the whole exchange.
DEFAULT_TIMEOUT: Final = aiohttp.ClientTimeout(total=30.0, connect=5.0)

DEFAULT_MAX_CONNECTIONS: Final = 100

T = TypeVar("T")



def _configure_logging_from_env() -> None:
    """``VOX_LOG=debug|info`` turns on the ``voxasync`` logger, printing to stderr."""
    level = {"debug": logging.DEBUG, "info": logging.INFO}.get(
        os.environ.get("VOX_LOG", "").strip().lower()
    )
    if level is None or logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)


def _as_client_timeout(timeout: TimeoutTypes) -> aiohttp.ClientTimeout:
    if timeout is None:
        return aiohttp.ClientTimeout(total=None)
    if isinstance(timeout, aiohttp.ClientTimeout):
        return timeout
    seconds = check_positive("timeout", timeout)  # or an aiohttp.ClientTimeout, or None
    return aiohttp.ClientTimeout(total=seconds, connect=min(seconds, 5.0))


def _check_max_retries(max_retries: int) -> int:
    return check_int("max_retries", max_retries, minimum=0)


def _check_deadline(deadline: float | None) -> float | None:
    return None if deadline is None else check_positive("deadline", deadline)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_base_url(base_url: str, *, allow_insecure_http: bool) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise VoxError(f"base_url must be an http(s) URL with a host, got {base_url!r}")
    if parts.username or parts.password:
        raise VoxError("base_url must not carry credentials; pass api_key instead")
    if parts.query or parts.fragment:
        raise VoxError(f"base_url must not have a query or fragment, got {base_url!r}")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise VoxError(
            f"refusing plain http:// to non-loopback host {parts.hostname!r}: the API key "
            "would travel in clear text. Use https://, or pass allow_insecure_http=True."
        )
    return base_url.rstrip("/")


def _user_agent() -> str:
    return (
        f"voxasync/{__version__} python/{platform.python_version()} "
        f"aiohttp/{aiohttp.__version__} ({sys.platform})"
    )


@attrs.frozen
class CallOptions:
    """What one call runs with, after per-call overrides are applied."""

    timeout: aiohttp.ClientTimeout
    max_retries: int
    deadline: float | None


class AsyncVox:
    """Async client for the vox.ai API.

    Create one per application (per event loop) and share it: it holds a connection pool.
    Close it with ``await vox.aclose()`` or ``async with AsyncVox() as vox``.

    Args:
        api_key: organization API key; defaults to ``$VOX_API_KEY``.
        base_url: defaults to ``$VOX_BASE_URL``, then ``https://client-api.tryvox.co``.
        timeout: bounds each attempt: seconds, an ``aiohttp.ClientTimeout``, or ``None`` (no
            limit). Default: 5 s to connect, 30 s in all.
        max_retries: retries after the first attempt, for connection errors, timeouts, 408,
            429 and 5xx. ``0`` disables retries.
        deadline: optional overall limit in seconds across all attempts and waits of a call.
        rate_limit: optional cap on requests per second started by this client.
        max_connections: most requests in flight at once (and connection pool size).
        session: an ``aiohttp.ClientSession`` to use instead of our own; we never close it.
        allow_insecure_http: allow a plain ``http://`` base URL to a non-loopback host.
    """

    organization_telephone_numbers: AsyncOrganizationTelephoneNumbers

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = 2,
        deadline: float | None = None,
        rate_limit: float | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        session: aiohttp.ClientSession | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        _configure_logging_from_env()
        if api_key is None:
            api_key = os.environ.get("VOX_API_KEY")
        if api_key is not None and not isinstance(api_key, str):
            raise TypeError(f"api_key must be a str, got {type(api_key).__name__}")
        if api_key is None or not api_key.strip():
            raise VoxError(
                "no API key: pass api_key=... or set the VOX_API_KEY environment variable"
            )
        if any(char in api_key.strip() for char in "\r\n\0"):
            # The message never quotes the key.
            raise VoxError("the API key holds a line break or NUL character; check how it was read")
        if base_url is None:
            base_url = os.environ.get("VOX_BASE_URL") or DEFAULT_BASE_URL
        check_int("max_connections", max_connections, minimum=1)
        self.base_url = _check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        self._options = CallOptions(
            timeout=_as_client_timeout(DEFAULT_TIMEOUT if timeout is NOT_GIVEN else timeout),
            max_retries=_check_max_retries(max_retries),
            deadline=_check_deadline(deadline),
        )
        self._pacer = _retry.Pacer(rate_limit) if rate_limit is not None else None
        self._transport = Transport(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {api_key.strip()}",
                "Accept": "application/json",
                "User-Agent": _user_agent(),
            },
            max_connections=max_connections,
            session=session,
        )
        self._owns_transport = True
        self._parent: AsyncVox | None = None
        self.organization_telephone_numbers = AsyncOrganizationTelephoneNumbers(self)

    # -- derived clients -------------------------------------------------------------------

    def with_options(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
    ) -> AsyncVox:
        """A client with other defaults that shares this one's connection pool.

        The derived client does not own the pool: close the original, not the copy.
        """
        return self._derive(self._merge_options(timeout, max_retries, deadline), self._pacer)

    def _derive(self, options: CallOptions, pacer: _retry.Pacer | None) -> AsyncVox:
        clone = object.__new__(type(self))
        clone.base_url = self.base_url
        clone._options = options
        clone._pacer = pacer
        clone._transport = self._transport
        clone._owns_transport = False
        # The original owns the pool: keep it alive (and so unwarned) while a copy is in use.
        clone._parent = self
        clone.organization_telephone_numbers = AsyncOrganizationTelephoneNumbers(clone)
        return clone

    def _merge_options(
        self,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
    ) -> CallOptions:
        if timeout is NOT_GIVEN and max_retries is NOT_GIVEN and deadline is NOT_GIVEN:
            return self._options
        return CallOptions(
            timeout=self._options.timeout if timeout is NOT_GIVEN else _as_client_timeout(timeout),
            max_retries=(
                self._options.max_retries
                if max_retries is NOT_GIVEN
                else _check_max_retries(max_retries)
            ),
            deadline=self._options.deadline if deadline is NOT_GIVEN else _check_deadline(deadline),
        )

    # -- life cycle ------------------------------------------------------------------------

    async def aclose(self) -> None:
        """Close the connection pool. Idempotent; a no-op on a ``with_options`` copy."""
        if self._owns_transport:
            await self._transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # Warn only: scheduling a close from a finalizer would run on an unknown loop/thread.
        transport = getattr(self, "_transport", None)
        if getattr(self, "_owns_transport", False) and transport and transport.has_open_session:
            warnings.warn(
                f"unclosed {self!r}: call `await vox.aclose()` or use `async with`",
                ResourceWarning,
                source=self,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    # -- the request pipeline --------------------------------------------------------------

    async def _request(
        self,
        method: Literal["GET", "POST", "DELETE"],
        path: str,
        model: type[T],
        options: CallOptions,
        *,
        params: Sequence[tuple[str, str]] | None = None,
        recover: Callable[[], Awaitable[T | None]] | None = None,
    ) -> T:
        """Send one API call with retries, and structure its answer into ``model``.

        ``recover`` is for non-idempotent calls: when a retry is *refused* (a 4xx) after an
        earlier attempt may have taken effect, it is asked whether the desired state holds
        anyway; a value it returns is the call's result.

        The optional deadline bounds everything the call does: waits for a connection slot
        or the pacer, attempts, backoff, and the ``recover`` check.
        """
        if options.deadline is None:
            return await self._attempts(method, path, model, options, params, recover, None)
        loop = asyncio.get_running_loop()
        deadline_at = loop.time() + options.deadline
        attempts = [0]
        try:
            async with asyncio.timeout_at(deadline_at):
                return await self._attempts(
                    method, path, model, options, params, recover, deadline_at, attempts
                )
        except TimeoutError as exc:
            raise APITimeoutError(
                f"{method} {path}: deadline of {options.deadline}s exceeded "
                f"after {attempts[0]} attempt(s)",
                method=method,
                url=self.base_url + path,
            ) from exc

    async def _attempts(
        self,
        method: Literal["GET", "POST", "DELETE"],
        path: str,
        model: type[T],
        options: CallOptions,
        params: Sequence[tuple[str, str]] | None,
        recover: Callable[[], Awaitable[T | None]] | None,
        deadline_at: float | None,
        attempts: list[int] | None = None,
    ) -> T:
        """The retry loop of :meth:`_request`; ``attempts[0]`` counts attempts started."""
        loop = asyncio.get_running_loop()
        may_have_taken_effect = False
        retry_number = 0
        while True:
            if self._pacer is not None:
                await self._pacer.wait_turn()
            timeout = options.timeout
            if deadline_at is not None:
                timeout = _within(timeout, deadline_at - loop.time())
            if attempts is not None:
                attempts[0] += 1
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug(
                    "request %s %s params=%s headers=%s",
                    method,
                    path,
                    params,
                    self._transport.redacted_headers(),
                )
            started = time.perf_counter()
            try:
                response = await self._transport.send(method, path, params=params, timeout=timeout)
                _log_response(method, path, response, started)
                return self._parse(response, model)
            except (APIConnectionError, APIStatusError) as error:
                if recover is not None and may_have_taken_effect and _is_refusal(error):
                    recovered = await _try_recover(recover)
                    if recovered is not None:
                        logger.info(
                            "%s %s was refused on retry, but an earlier attempt had already "
                            "taken effect; returning the current record",
                            method,
                            path,
                        )
                        return recovered
                    raise
                wait = None
                if retry_number < options.max_retries:
                    wait = _retry.retry_wait(error, retry_number)
                pacer = None
                if isinstance(error, RateLimitError) and self._pacer is not None:
                    # Retried or not, every call sharing the pacer holds back.
                    pacer = self._pacer
                    pacer.rate_limited(error, wait)
                if wait is None:
                    raise
                if deadline_at is not None and loop.time() + wait >= deadline_at:
                    raise APITimeoutError(
                        f"{method} {path}: deadline of {options.deadline}s exceeded "
                        f"after {retry_number + 1} attempt(s); last error: {error}",
                        method=method,
                        url=self.base_url + path,
                    ) from error
                logger.info(
                    "retrying %s %s (attempt %d of %d) in %.2fs after %s",
                    method,
                    path,
                    retry_number + 2,
                    options.max_retries + 1,
                    wait,
                    _reason(error),
                )
                may_have_taken_effect = may_have_taken_effect or _may_have_taken_effect(error)
                retry_number += 1
                if pacer is None:  # a paced retry waits its turn at the top of the loop
                    await asyncio.sleep(wait)

    def _parse(self, response: RawResponse, model: type[T]) -> T:
        status = response.status
        if not 200 <= status < 300:  # a 3xx (we follow no redirects) is an error too
            retry_after = _retry.retry_after_seconds(response.headers) if status == 429 else None
            raise make_status_error(
                status, response.body, response.headers, retry_after=retry_after
            )
        try:
            payload = decode_json(response.body)
        except ValueError as exc:
            preview = response.body[:BODY_PREVIEW_CHARS].decode("utf-8", errors="replace")
            content_type = response.headers.get("Content-Type", "no content type")
            raise APIResponseValidationError(
                f"the {status} answer is not JSON ({content_type}): {preview[:120]!r}",
                status_code=status,
                body=preview,
            ) from exc
        return structure(payload, model, status_code=status, body=response.body)


def _reason(error: VoxError) -> str:
    """Why an attempt failed, for INFO logs: status and code, never the server's message
    (which may quote a phone number)."""
    if isinstance(error, APIStatusError):
        return f"HTTP {error.status_code}" + (f" {error.code}" if error.code else "")
    return f"{type(error).__name__}: {error}"


def _within(timeout: aiohttp.ClientTimeout, remaining: float) -> aiohttp.ClientTimeout:
    """Cap an attempt's total timeout by what is left of the overall deadline."""
    remaining = max(remaining, 0.001)
    if timeout.total is not None and timeout.total <= remaining:
        return timeout
    return attrs.evolve(timeout, total=remaining)


def _is_refusal(error: VoxError) -> bool:
    """A 4xx that says "not in a state for this" rather than auth, absence or throttling."""
    return (
        isinstance(error, APIStatusError)
        and 400 <= error.status_code < 500
        and error.status_code not in (401, 403, 404, 408, 429)
    )


def _may_have_taken_effect(error: VoxError) -> bool:
    if isinstance(error, InternalServerError):
        return True
    return isinstance(error, APIConnectionError) and error.request_may_have_been_sent


async def _try_recover(recover: Callable[[], Awaitable[T | None]]) -> T | None:
    try:
        return await recover()
    except VoxError as exc:
        logger.info("could not check whether an earlier attempt took effect: %s", _reason(exc))
        return None


def _log_response(method: str, path: str, response: RawResponse, started: float) -> None:
    if not logger.isEnabledFor(logging.INFO):
        return
    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.info("%s %s -> %d (%.1f ms)", method, path, response.status, elapsed_ms)
    if logger.isEnabledFor(logging.DEBUG):
        headers: dict[str, Any] = dict(response.headers)
        logger.debug(
            "response headers %s body %s",
            headers,
            response.body[:BODY_PREVIEW_CHARS].decode("utf-8", errors="replace"),
        )

"""``AsyncVox``: configuration and life cycle. It builds the pipeline and wires the resources.

Every call goes resource -> ``_pipeline.Pipeline`` -> ``_transport.Transport``; this module
only checks the client's arguments, builds those once, and closes the pool at the end.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import platform
import sys
import warnings
from typing import Final, Self
from urllib.parse import urlsplit

import aiohttp
import attrs

from ._options import DEFAULT_TIMEOUT, CallOptions
from ._pacer import Pacer
from ._pipeline import Pipeline
from ._transport import Transport
from ._types import NOT_GIVEN, NotGiven, TimeoutTypes, check_int
from ._version import __version__
from .errors import VoxError
from .resources.organization_telephone_numbers import AsyncOrganizationTelephoneNumbers
from .resources.telephone_numbers import AsyncTelephoneNumbers

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_MAX_CONNECTIONS", "DEFAULT_TIMEOUT", "AsyncVox"]

logger = logging.getLogger("voxasync")

DEFAULT_BASE_URL: Final = "https://client-api.tryvox.co"

DEFAULT_MAX_CONNECTIONS: Final = 100


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


def _check_api_key(api_key: str | None) -> str:
    """The key to send, from the argument or ``$VOX_API_KEY``; errors never quote it."""
    if api_key is None:
        api_key = os.environ.get("VOX_API_KEY")
    if api_key is not None and not isinstance(api_key, str):
        raise TypeError(f"api_key must be a str, got {type(api_key).__name__}")
    if api_key is None or not api_key.strip():
        raise VoxError("no API key: pass api_key=... or set the VOX_API_KEY environment variable")
    if any(char in api_key.strip() for char in "\r\n\0"):
        raise VoxError("the API key holds a line break or NUL character; check how it was read")
    return api_key.strip()


@attrs.frozen
class _Derived:
    """What a ``with_options`` copy is built from: the pipeline, and the pool's owner."""

    pipeline: Pipeline
    owner: AsyncVox


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
    telephone_numbers: AsyncTelephoneNumbers

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
        _derived: _Derived | None = None,
    ) -> None:
        if _derived is not None:  # a with_options copy: same pool, other options
            self._wire(_derived.pipeline, owner=_derived.owner)
            return
        _configure_logging_from_env()
        key = _check_api_key(api_key)
        if base_url is None:
            base_url = os.environ.get("VOX_BASE_URL") or DEFAULT_BASE_URL
        check_int("max_connections", max_connections, minimum=1)
        options = CallOptions.build(timeout, max_retries, deadline)
        transport = Transport(
            base_url=_check_base_url(base_url, allow_insecure_http=allow_insecure_http),
            headers={
                "Authorization": f"Bearer {key}",
                "Accept": "application/json",
                "User-Agent": _user_agent(),
            },
            max_connections=max_connections,
            session=session,
        )
        pacer = Pacer(rate_limit) if rate_limit is not None else None
        self._wire(Pipeline(transport, options, pacer), owner=None)

    def _wire(self, pipeline: Pipeline, *, owner: AsyncVox | None) -> None:
        self.base_url = pipeline.transport.base_url
        self._pipeline = pipeline
        # A copy keeps the pool's owner alive (and so unwarned) while the copy is in use.
        self._owner = owner
        self.organization_telephone_numbers = AsyncOrganizationTelephoneNumbers(pipeline)
        self.telephone_numbers = AsyncTelephoneNumbers(pipeline)

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
        pipeline = self._pipeline.with_options(timeout, max_retries, deadline)
        return AsyncVox(_derived=_Derived(pipeline, self._owner or self))

    # -- life cycle ------------------------------------------------------------------------

    @property
    def is_closed(self) -> bool:
        """Whether the connection pool was closed (by ``aclose()`` on the original)."""
        return self._pipeline.transport.closed

    async def aclose(self) -> None:
        """Close the connection pool. Idempotent; a no-op on a ``with_options`` copy."""
        if self._owner is None:
            await self._pipeline.transport.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def __del__(self) -> None:
        # Warn only: scheduling a close from a finalizer would run on an unknown loop/thread.
        pipeline = getattr(self, "_pipeline", None)
        if pipeline and self._owner is None and pipeline.transport.has_open_session:
            warnings.warn(
                f"unclosed {self!r}: call `await vox.aclose()` or use `async with`",
                ResourceWarning,
                source=self,
                stacklevel=2,
            )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

"""``AsyncVox``: configuration and life cycle. It builds the pipeline and wires the resources.

Every call goes resource -> ``_pipeline.Pipeline`` -> ``_transport.Transport``; this module
only checks the client's arguments, builds those once, and closes the pool at the end.
"""

from __future__ import annotations

import logging
import os
import platform
import sys
import warnings
from collections.abc import Mapping
from ssl import SSLContext
from typing import Final, Self
from urllib.parse import urlsplit

import aiohttp
import attrs

from ._client_header import HEADER, SDK_LAYER, check_app_info, client_header
from ._network import Network, check_default_headers, is_loopback
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


def _check_base_url(base_url: str, *, allow_insecure_http: bool) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise VoxError(f"base_url must be an http(s) URL with a host, got {base_url!r}")
    if parts.username or parts.password:
        raise VoxError("base_url must not carry credentials; pass api_key instead")
    if parts.query or parts.fragment:
        raise VoxError(f"base_url must not have a query or fragment, got {base_url!r}")
    if parts.scheme == "http" and not allow_insecure_http and not is_loopback(parts.hostname):
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


def _headers(
    key: str, default_headers: Mapping[str, str] | None, app_info: str | None
) -> dict[str, str]:
    """Our headers plus the user's; a user's ``User-Agent`` goes in front of ours."""
    extra = check_default_headers(default_headers)
    agent = _user_agent()
    for name in [name for name in extra if name.lower() == "user-agent"]:
        agent = f"{extra.pop(name)} {agent}"
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json",
               "User-Agent": agent, **extra}
    vox_client = client_header([*check_app_info(app_info), SDK_LAYER])
    if vox_client is not None:
        headers[HEADER] = vox_client
    return headers


def _check_session_alone(session: object, proxy: object, trust_env: object, ssl: object) -> None:
    if session is not None and (proxy is not None or ssl is not None or trust_env is not True):
        raise ValueError(
            "proxy=, ssl= and trust_env= configure the session the client creates; with "
            "session=, set them on your own aiohttp.ClientSession (and its connector) instead"
        )


def _check_api_key(api_key: str | None) -> str:
    """The key to send, from the argument or ``$VOX_API_KEY``; errors never quote it."""
    if api_key is None:
        api_key = os.environ.get("VOX_API_KEY")
    if api_key is not None and not isinstance(api_key, str):
        raise TypeError(f"api_key must be a str, got {type(api_key).__name__}")
    if api_key is None or not api_key.strip():
        raise VoxError("no API key: pass api_key=... or set the VOX_API_KEY environment variable")
    key = api_key.strip()
    bad = next((i for i, char in enumerate(key) if not _header_safe(char)), None)
    if bad is not None:
        raise VoxError(
            f"the API key holds {_char_kind(key[bad])} at position {bad + 1} of {len(key)}, "
            "which cannot go in an HTTP header; check how it was read"
        )
    return key


def _header_safe(char: str) -> bool:
    """Printable ASCII: what a bearer token may hold (RFC 6750's b64token, and more)."""
    return "!" <= char <= "~"


def _char_kind(char: str) -> str:
    """What kind of character it is, without quoting it (it is part of a secret)."""
    if char in "\r\n":
        return "a line break"
    if char == "\0":
        return "a NUL character"
    if char.isspace():
        return "a space"
    if ord(char) < 0x20 or ord(char) == 0x7F or 0x80 <= ord(char) < 0xA0:
        return "a control character"
    return "a non-ASCII character"


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
        app_info: your application's ``name/version`` (e.g. ``"myapp/1.2"``; several layers
            space-separated, outermost first), sent before ``voxasync/<version>`` in the
            ``X-Vox-Client`` header so vox.ai can tell its callers apart.
        session: an ``aiohttp.ClientSession`` to use instead of our own; we never close it.
        allow_insecure_http: allow a plain ``http://`` base URL to a non-loopback host.
        proxy: an ``http://`` or ``https://`` proxy URL, credentials included if it needs
            them (``http://user:pass@proxy:3128``); they are sent as ``Proxy-Authorization``
            and never shown. Takes precedence over the environment.
        trust_env: read ``HTTPS_PROXY`` / ``HTTP_PROXY`` / ``ALL_PROXY`` and ``NO_PROXY``
            once, when the client is made (a loopback base URL is never proxied).
            ``False`` ignores them.
        ssl: an ``ssl.SSLContext`` for the API's TLS connections: a private CA, a client
            certificate. Default: the system's trusted CAs, verified.
        default_headers: extra headers for every request. They cannot set
            ``Authorization``, ``Accept`` or the HTTP framing headers (``ValueError``); a
            ``User-Agent`` is put in front of the SDK's own. Their values are not logged.

    With ``session=``, the session keeps its own proxy and TLS settings: passing ``proxy``,
    ``ssl`` or ``trust_env=False`` as well raises ``ValueError``.
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
        app_info: str | None = None,
        session: aiohttp.ClientSession | None = None,
        allow_insecure_http: bool = False,
        proxy: str | None = None,
        trust_env: bool = True,
        ssl: SSLContext | None = None,
        default_headers: Mapping[str, str] | None = None,
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
        _check_session_alone(session, proxy, trust_env, ssl)
        base_url = _check_base_url(base_url, allow_insecure_http=allow_insecure_http)
        transport = Transport(
            base_url=base_url,
            headers=_headers(key, default_headers, app_info),
            hidden=frozenset(
                name for name in check_default_headers(default_headers)
                if name.lower() != "user-agent"
            ),
            max_connections=max_connections,
            session=session,
            network=Network.build(base_url, proxy=proxy, trust_env=trust_env, ssl=ssl),
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

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The aiohttp session calls go out on: created by the first call (or yours)."""
        return self._pipeline.transport.session

    @property
    def requests_in_flight(self) -> int:
        """Requests holding a connection slot right now, across this client and its copies."""
        return self._pipeline.transport.in_flight

    @property
    def timeout(self) -> aiohttp.ClientTimeout:
        """Each attempt's timeout (``total=None``: no limit)."""
        return self._pipeline.options.timeout

    @property
    def max_retries(self) -> int:
        return self._pipeline.options.max_retries

    @property
    def deadline(self) -> float | None:
        """The overall limit of one call across its attempts, if any."""
        return self._pipeline.options.deadline

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

"""The aiohttp edge: owns the session and turns aiohttp's exceptions into ours.

This is the only module that catches aiohttp errors. It knows nothing of retries, models or
error bodies: :meth:`Transport.send` makes one HTTP exchange and returns the status, headers
and whole body, or raises ``APIConnectionError`` / ``APITimeoutError``.

In-flight requests are bounded by a semaphore sized like the connection pool, taken *before*
the attempt's timeout starts. So ``asyncio.gather`` of thousands of calls queues in our
semaphore, not in aiohttp's pool, where the queueing would eat into each call's timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
import attrs
from multidict import CIMultiDictProxy
from yarl import URL

from ._network import Network
from .errors import APIConnectionError, APITimeoutError, VoxError

__all__ = ["RawResponse", "Transport"]


@attrs.frozen
class RawResponse:
    status: int
    headers: CIMultiDictProxy[str]
    body: bytes


class Transport:
    """One aiohttp session (ours or the user's), created lazily on the loop that first uses it."""

    def __init__(
        self,
        *,
        base_url: str,
        headers: Mapping[str, str],
        max_connections: int,
        session: aiohttp.ClientSession | None = None,
        network: Network | None = None,
        hidden: frozenset[str] = frozenset(),
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._network = network or Network()
        self._hidden = frozenset(name.lower() for name in hidden) | {"proxy-authorization"}
        self._url_base = _parse_base_url(self.base_url)
        self._headers = {**headers, **self._network.request_headers}
        self._max_connections = max_connections
        self._session = session
        self._owns_session = session is None
        # Our headers go in our own session's defaults, except through a proxy: aiohttp
        # merges a session's default headers into those it sends the proxy, and would send
        # our Authorization to it (in a CONNECT, and as Proxy-Authorization). So with a
        # proxy, or on the user's session, they go with each request instead.
        self._per_request_headers = not self._owns_session or self._network.proxy is not None
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self.closed = False
        self.in_flight = 0
        """Requests holding a connection slot right now."""

    def redacted_headers(self) -> dict[str, str]:
        """The request headers, fit for a log line: the key (and the values of the user's
        ``default_headers``) replaced by ``***``."""
        return {
            name: "Bearer ***" if name.lower() == "authorization"
            else "***" if name.lower() in self._hidden else value
            for name, value in self._headers.items()
        }

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The session in use, once the first request created it (or the user's)."""
        return self._session

    @property
    def has_open_session(self) -> bool:
        """Whether we hold a session of our own that still needs closing."""
        return self._owns_session and self._session is not None and not self._session.closed

    def _ready_session(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        if self.closed:
            raise VoxError("this client is closed; create a new one")
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            self._slots = asyncio.Semaphore(self._max_connections)
            if self._session is None:
                network = self._network
                self._session = aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(
                        limit=self._max_connections,
                        limit_per_host=self._max_connections,
                        keepalive_timeout=30,
                        ssl=True if network.ssl is None else network.ssl,
                    ),
                    headers=None if self._per_request_headers else self._headers,
                    # The proxy was decided once (``_network``): aiohttp's own trust_env
                    # would look it up, and read ~/.netrc, in a thread on every request.
                    proxy=network.proxy,
                    # Our own semaphore bounds the pool; timeouts are set per attempt.
                    timeout=aiohttp.ClientTimeout(total=None),
                    raise_for_status=False,
                )
                # aiohttp silently resends GET/DELETE once after a reset: that hides from our
                # pipeline that a DELETE may already have taken effect, and defeats
                # max_retries=0. Retries are ours alone (aiohttp's test client does the same).
                # A private attribute of aiohttp's: it offers no public switch for this.
                self._session._retry_connection = False
        elif loop is not self._loop:
            raise VoxError(
                "this client is bound to the event loop it was first used on; "
                "create one client per event loop (or use the sync Vox client)"
            )
        assert self._slots is not None and self._session is not None
        return self._session, self._slots

    @property
    def reuses_base_url(self) -> bool:
        """Whether request URLs extend the base URL parsed once (the fast path)."""
        return self._url_base is not None

    def url(self, path: str) -> URL:
        """The request URL for ``path``: exactly what ``URL(base_url + path, encoded=True)`` is."""
        if self._url_base is not None and path[:1] == "/" and "?" not in path and "#" not in path:
            base, prefix = self._url_base  # the base parsed once, extended without parsing
            return base.with_path(prefix + path, encoded=True)
        return URL(self.base_url + path, encoded=True)

    async def send(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] | None,
        timeout: aiohttp.ClientTimeout,
        json: Mapping[str, Any] | None = None,
    ) -> RawResponse:
        """One HTTP exchange. Raises ``APIConnectionError`` when there is no whole answer."""
        session, slots = self._ready_session()
        url = self.base_url + path
        request_url = self.url(path)
        headers = self._headers if self._per_request_headers else None
        async with slots:
            self.in_flight += 1
            try:
                async with session.request(
                    method, request_url, params=params, json=json, headers=headers,
                    timeout=timeout, allow_redirects=False,
                    proxy_headers=self._network.proxy_headers,
                ) as response:
                    body = await response.read()
                    return RawResponse(response.status, response.headers, body)
            except TimeoutError as exc:
                raise APITimeoutError(
                    f"{method} {path} timed out",
                    method=method,
                    url=url,
                    request_may_have_been_sent=not isinstance(exc, aiohttp.ConnectionTimeoutError),
                ) from exc
            except (aiohttp.ClientError, OSError) as exc:
                raise APIConnectionError(
                    f"{method} {path} failed: {_describe(exc)}",
                    method=method,
                    url=url,
                    request_may_have_been_sent=not isinstance(exc, aiohttp.ClientConnectorError),
                ) from exc
            finally:
                self.in_flight -= 1

    async def aclose(self) -> None:
        """Close our session (never one the user passed in). Idempotent."""
        self.closed = True
        if self._owns_session and self._session is not None and not self._session.closed:
            await self._session.close()


def _parse_base_url(base_url: str) -> tuple[URL, str] | None:
    """The base URL parsed once, and its path, which each request's path extends."""
    try:
        base = URL(base_url, encoded=True)
    except ValueError:
        return None  # each request then fails as it would have
    if base.raw_query_string or base.raw_fragment:
        return None
    return base, ("" if base.raw_path == "/" else base.raw_path)


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text

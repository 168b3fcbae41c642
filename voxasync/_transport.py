"""The aiohttp edge: owns the session and turns aiohttp's exceptions into ours.

This is the only module that catches aiohttp errors. It knows nothing of retries, models or
error bodies: :meth:`Transport.send` makes one HTTP exchange and returns the status, headers
and whole body, or raises ``APIConnectionError`` / ``APITimeoutError``.

In-flight requests are bounded by connection slots (``_slots``) as many as the pool's
connections, taken *before* the attempt's timeout starts. So ``asyncio.gather`` of thousands
of calls queues for our slots, not in aiohttp's pool, where the queueing would eat into each
call's timeout.

What it guarantees whatever happens on the wire:

- **No secret in an error.** aiohttp's response errors carry ``request_info``, which holds our
  request headers, the ``Authorization`` header included. Our errors are raised *outside* the
  ``except`` block, so they have neither ``__cause__`` nor ``__context__`` pointing at
  aiohttp's: only the cause's type name and message (the key cut out, length bounded) are kept.
- **Our semantics on the user's session.** Each request passes its own ``raise_for_status``,
  absolute URL, headers, timeout and ``auto_decompress``, so none of the session's settings
  changes what a status, a retry or a timeout means.
- **Stale pooled connections are told apart.** A request that fails on a *reused* connection
  before any byte of an answer came back raises with ``stale_connection=True``; the pipeline
  resends it once, at once, with ``fresh_connection=True`` (a connection of its own).
- **Fork safety.** In a child process the parent's session, pool and loop binding are dropped
  without being closed (closing would write to the parent's sockets) and fresh ones start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any, Final

import aiohttp
from multidict import CIMultiDictProxy
from yarl import URL

from . import _process
from ._connector import EXCHANGE, Exchange, ReuseAwareConnector
from ._network import Network
from ._slots import Slots
from ._timeouts import AttemptTimer, timed_out
from .errors import APIConnectionError, APITimeoutError, VoxError

__all__ = ["KEEPALIVE_SECONDS", "Answer", "Transport"]

KEEPALIVE_SECONDS: Final = 4.0
"""How long an idle pooled connection is kept: under the idle timeouts servers and load
balancers commonly use (Node.js and uvicorn 5 s, AWS ALB 60 s, nginx 75 s), so that we drop
an idle connection before the server does, not while our request is on its way."""

_CAUSE_CHARS: Final = 300
"""How much of an aiohttp error's message our error keeps."""

_ABANDONED: list[object] = []
"""In a forked child: the parent's sessions, held so they are never finalized here (their
finalizers would close, or send TLS close_notify on, sockets the parent still uses)."""


class Answer:
    """One whole HTTP answer: status, headers, body. A plain slotted class: one is made per
    attempt, on the hot path."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, headers: CIMultiDictProxy[str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body


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
        self._secret = _bearer_token(self._headers)
        self._max_connections = max_connections
        self._session = session
        self._owns_session = session is None
        # Our headers go in our own session's defaults, except through a proxy: aiohttp
        # merges a session's default headers into those it sends the proxy, and would send
        # our Authorization to it (in a CONNECT, and as Proxy-Authorization). So with a
        # proxy, or on the user's session, they go with each request instead.
        self._per_request_headers = not self._owns_session or self._network.proxy is not None
        self._fresh: aiohttp.ClientSession | None = None  # for resends: never a pooled conn
        self._slots: Slots | None = None
        self._timer: AttemptTimer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._forks = _process.forks  # a fork since then: we are in a child process
        self.closed = False

    def redacted_headers(self) -> dict[str, str]:
        """The request headers, fit for a log line: the key (and the values of the user's
        ``default_headers``) replaced by ``***``."""
        return {
            name: "Bearer ***" if name.lower() == "authorization"
            else "***" if name.lower() in self._hidden else value
            for name, value in self._headers.items()
        }

    @property
    def in_flight(self) -> int:
        """Requests holding a connection slot right now."""
        return 0 if self._slots is None else self._slots.taken

    @property
    def session(self) -> aiohttp.ClientSession | None:
        """The session in use, once the first request created it (or the user's)."""
        return self._session

    @property
    def has_open_session(self) -> bool:
        """Whether we hold a session of our own that still needs closing (in this process)."""
        return (
            self._owns_session
            and self._forks == _process.forks
            and self._session is not None
            and not self._session.closed
        )

    def _ready_session(self) -> tuple[aiohttp.ClientSession, Slots, AttemptTimer]:
        if self.closed:
            raise VoxError("this client is closed; create a new one")
        if self._forks != _process.forks:
            self._forget_parent()
        loop = asyncio.get_running_loop()
        if self._loop is None:
            self._loop = loop
            self._slots = Slots(self._max_connections)
            self._timer = AttemptTimer(loop)
            if self._session is None:
                self._session = self._new_session(force_close=False)
        elif loop is not self._loop:
            raise VoxError(
                "this client is bound to the event loop it was first used on; "
                "create one client per event loop (or use the sync Vox client)"
            )
        assert self._slots is not None and self._timer is not None and self._session is not None
        return self._session, self._slots, self._timer

    def _new_session(self, *, force_close: bool) -> aiohttp.ClientSession:
        network = self._network
        session = aiohttp.ClientSession(
            connector=ReuseAwareConnector(
                limit=self._max_connections,
                limit_per_host=self._max_connections,
                keepalive_timeout=None if force_close else KEEPALIVE_SECONDS,
                force_close=force_close,
                ssl=True if network.ssl is None else network.ssl,
            ),
            headers=None if self._per_request_headers else self._headers,
            # The proxy was decided once (``_network``): aiohttp's own trust_env would look
            # it up, and read ~/.netrc, in a thread on every request.
            proxy=network.proxy,
            # Our own connection slots bound the pool; timeouts are set per attempt.
            timeout=aiohttp.ClientTimeout(total=None),
            raise_for_status=False,
        )
        # aiohttp silently resends GET/DELETE once after a reset, on any connection: that
        # hides from our pipeline that a DELETE may already have taken effect, and defeats
        # max_retries=0. Resends are ours alone (the pipeline's, on stale connections only).
        # A private attribute: aiohttp offers no public switch (its test client does this).
        session._retry_connection = False
        return session

    def _forget_parent(self) -> None:
        """In a forked child: start afresh, without closing what the parent still uses."""
        if not self._owns_session:
            raise VoxError(
                "this client was given an aiohttp session before os.fork(); a session cannot "
                "be used in a child process: create the client and its session in the child"
            )
        _ABANDONED.extend(s for s in (self._session, self._fresh) if s is not None)
        self._session = self._fresh = None
        self._slots = self._timer = self._loop = None
        self._forks = _process.forks

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
        params: Sequence[tuple[str, str]] | None,
        json: Mapping[str, Any] | None,
        timeout: aiohttp.ClientTimeout,
        total: float | None,
        fresh_connection: bool = False,
    ) -> Answer:
        """One HTTP exchange. Raises ``APIConnectionError`` when there is no whole answer.

        ``timeout`` goes to aiohttp as it is (with no ``total`` but under a deadline); the
        ``total`` seconds, from when the attempt holds a slot, are kept by our cheaper
        ``AttemptTimer`` (``_timeouts``).
        ``fresh_connection`` sends on a connection of its own, never a pooled one (for the
        resend after a stale connection; only on a session of ours).
        """
        session, slots, timer = self._ready_session()
        if fresh_connection and self._owns_session:
            if self._fresh is None:
                self._fresh = self._new_session(force_close=True)
            session = self._fresh
        exchange = Exchange()
        EXCHANGE.set(exchange)
        if not slots.take_now():
            await slots.take()
        limit = None
        try:
            if total is not None:
                limit = timer.start(total)
            async with session.request(
                method, self.url(path), params=params, json=json,
                headers=self._headers if self._per_request_headers else None,
                timeout=timeout, allow_redirects=False,
                proxy_headers=self._network.proxy_headers,
                # Whatever a user's session sets, these hold per request.
                raise_for_status=False, auto_decompress=True,
            ) as response:
                exchange.answered = True
                body = await response.read()
                return Answer(response.status, response.headers, body)
        except asyncio.CancelledError:
            if not timed_out(limit):
                raise
            error: APIConnectionError = self._timeout_error(method, path, exchange, None)
        except TimeoutError as exc:  # one of aiohttp's own timeouts (connect, sock_read)
            error = self._timeout_error(method, path, exchange, exc)
        except (aiohttp.ClientError, OSError) as exc:
            error = self._connection_error(method, path, exc, exchange)
        finally:
            if limit is not None:
                limit.finish()
            slots.release()
        # Raised here, out of the except block: no __context__ leads to aiohttp's error,
        # whose request_info holds our headers (the key).
        raise error

    def _timeout_error(
        self, method: str, path: str, exchange: Exchange, exc: TimeoutError | None
    ) -> APITimeoutError:
        """``exc``: aiohttp's timeout; None for the attempt's total, kept by our timer."""
        if exc is not None:
            sent = not isinstance(exc, aiohttp.ConnectionTimeoutError)
        else:  # whether it was still opening a connection is known on our connector alone
            sent = not exchange.still_opening or not self._owns_session
        return APITimeoutError(
            f"{method} {path} timed out",
            method=method,
            url=self.base_url + path,
            request_may_have_been_sent=sent,
        )

    def _connection_error(
        self, method: str, path: str, exc: BaseException, exchange: Exchange
    ) -> APIConnectionError:
        connected = not isinstance(exc, aiohttp.ClientConnectorError)
        # What aiohttp itself resends (RFC 9112 9.3.1): a reset or close before the answer's
        # head; on a connection the pool reused, the server most likely closed it idle.
        # On our own session a request that opened no connection got a pooled one: nothing
        # there waits before aiohttp's connect, and our slots never outnumber the pool's
        # connections, so none waits inside aiohttp's pool either.
        stale = (
            self._owns_session
            and not exchange.opening
            and not exchange.answered
            and connected
            and isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError)
        )
        return APIConnectionError(
            f"{method} {path} failed: {self._describe(exc)}",
            method=method,
            url=self.base_url + path,
            request_may_have_been_sent=connected,
            stale_connection=stale,
        )

    def _describe(self, exc: BaseException) -> str:
        """The cause as text: type name and message, the key cut out, the length bounded."""
        text = str(exc) or type(exc).__name__
        if text != type(exc).__name__:
            text = f"{type(exc).__name__}: {text}"
        if self._secret:
            text = text.replace(self._secret, "***")
        return text if len(text) <= _CAUSE_CHARS else text[:_CAUSE_CHARS] + "…"

    async def aclose(self) -> None:
        """Close our sessions (never one the user passed in). Idempotent."""
        self.closed = True
        if self._forks != _process.forks:
            if self._owns_session:
                self._forget_parent()  # nothing of this process's own to close
            return
        for session in (self._session, self._fresh):
            if self._owns_session and session is not None and not session.closed:
                await session.close()


def _bearer_token(headers: Mapping[str, str]) -> str:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    return value.removeprefix("Bearer ").strip()


def _parse_base_url(base_url: str) -> tuple[URL, str] | None:
    """The base URL parsed once, and its path, which each request's path extends."""
    try:
        base = URL(base_url, encoded=True)
    except ValueError:
        return None  # each request then fails as it would have
    if base.raw_query_string or base.raw_fragment:
        return None
    return base, ("" if base.raw_path == "/" else base.raw_path)

"""Our ``TCPConnector``: what each attempt learns of its connection, and how it reads.

:class:`ReuseAwareConnector` marks, for the attempt in progress (:data:`EXCHANGE`, set by
``Transport.send``), that it got a connection and whether the pool had handed that one out
before: the transport tells a stale pooled connection apart by it. Each new connection's
reads are capped at :data:`READ_SIZE`.
"""

from __future__ import annotations

import asyncio
import weakref
from contextvars import ContextVar
from typing import Any, Final

import aiohttp
from aiohttp.connector import Connection
from aiohttp.tracing import Trace

__all__ = ["EXCHANGE", "READ_SIZE", "Exchange", "ReuseAwareConnector", "cap_read_size"]

READ_SIZE: Final = 64 * 1024
"""The most one read of ours takes. asyncio's selector transport (and, for TLS, its SSL
protocol) reads up to 256 KiB at a time into a fresh ``bytes``: an allocation that big, freed
at once, trims glibc's heap and costs page faults on every answer (two per call, measured,
on a thread's own arena). Our answers are a few KiB; 64 KiB reads fit in the heap as it is."""


class Exchange:
    """What one attempt learned on the way: did it get a connection, was that one reused,
    did an answer come."""

    __slots__ = ("answered", "connected", "reused")

    def __init__(self) -> None:
        self.connected = False
        self.reused = False
        self.answered = False


EXCHANGE: ContextVar[Exchange | None] = ContextVar("voxasync_exchange", default=None)
"""The attempt in progress in this task, for the connector to mark (``connect`` runs in the
request's own task, so it sees the value ``send`` set)."""


class ReuseAwareConnector(aiohttp.TCPConnector):
    """A ``TCPConnector`` that tells each request whether its connection was used before.

    Overrides the public ``connect``: cheaper than aiohttp's request tracing, which, once any
    trace config is set, sends every tracing signal of every request (about a tenth of a
    call's cost, measured).
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # Connections handed out before, by id, each with a weak reference that proves the
        # id still names the same object (and forgets it once the connection is gone).
        self._handed_out: dict[int, weakref.ref[object]] = {}

    async def connect(
        self, req: aiohttp.ClientRequest, traces: list[Trace], timeout: aiohttp.ClientTimeout
    ) -> Connection:
        connection = await super().connect(req, traces, timeout)
        protocol = connection.protocol
        if protocol is None:
            return connection
        key = id(protocol)
        seen = self._handed_out.get(key)
        reused = seen is not None and seen() is protocol
        if not reused:
            handed_out = self._handed_out
            self._handed_out[key] = weakref.ref(protocol, lambda _: handed_out.pop(key, None))
            cap_read_size(protocol.transport)
        exchange = EXCHANGE.get()
        if exchange is not None:
            exchange.connected = True
            exchange.reused = reused
        return connection


def cap_read_size(transport: asyncio.BaseTransport | None) -> None:
    """Read at most ``READ_SIZE`` at a time on a new connection, where asyncio reads by a
    ``max_size``: the selector transport's, and for TLS its SSL protocol's (a private
    attribute, looked for, never required). Other loops are left as they are (uvloop reads
    into a buffer it keeps)."""
    for reader in (transport, getattr(transport, "_ssl_protocol", None)):
        size = getattr(reader, "max_size", None)
        if type(size) is int and size > READ_SIZE:
            try:
                reader.max_size = READ_SIZE  # type: ignore[union-attr]
            except AttributeError:  # a class without a __dict__
                pass

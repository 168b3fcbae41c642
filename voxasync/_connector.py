"""Our ``TCPConnector``: what each attempt learns of its connection, and how it reads.

:class:`ReuseAwareConnector` marks, for the attempt in progress (:data:`EXCHANGE`, set by
``Transport.send``), that it began to open a new connection, and that it got it. An attempt
on our session that got a connection without opening one got it from the pool: the
transport tells a stale pooled connection apart by that. Each new connection's reads
are capped at :data:`READ_SIZE`.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from typing import Final

import aiohttp
from aiohttp.client_proto import ResponseHandler
from aiohttp.tracing import Trace

__all__ = ["EXCHANGE", "READ_SIZE", "Exchange", "ReuseAwareConnector", "cap_read_size"]

READ_SIZE: Final = 64 * 1024
"""The most one read of ours takes. asyncio's selector transport (and, for TLS, its SSL
protocol) reads up to 256 KiB at a time into a fresh ``bytes``: an allocation that big, freed
at once, trims glibc's heap and costs page faults on every answer (two per call, measured,
on a thread's own arena). Our answers are a few KiB; 64 KiB reads fit in the heap as it is."""


class Exchange:
    """What one attempt learned on the way: did it open a connection of its own (and get
    it), did an answer come."""

    __slots__ = ("answered", "opened", "opening")

    def __init__(self) -> None:
        self.opening = False
        self.opened = False
        self.answered = False

    @property
    def still_opening(self) -> bool:
        """It began to open a connection of its own and has not got it yet."""
        return self.opening and not self.opened


EXCHANGE: ContextVar[Exchange | None] = ContextVar("voxasync_exchange", default=None)
"""The attempt in progress in this task, for the connector to mark (a connection is opened
in the request's own task, so it sees the value ``send`` set)."""


class ReuseAwareConnector(aiohttp.TCPConnector):
    """A ``TCPConnector`` that tells each request whether it opened its connection.

    Overrides ``_create_connection``, the method every aiohttp connector implements to open
    one (the pool calls it only for a new connection): a pooled connection costs nothing
    more. Cheaper than overriding ``connect``, which every request passes (about 7,000
    instructions a call, measured), and than aiohttp's request tracing, which, once any
    trace config is set, sends every tracing signal of every request.
    """

    async def _create_connection(
        self, req: aiohttp.ClientRequest, traces: list[Trace], timeout: aiohttp.ClientTimeout
    ) -> ResponseHandler:
        exchange = EXCHANGE.get()
        if exchange is not None:
            exchange.opening = True
        protocol = await super()._create_connection(req, traces, timeout)
        cap_read_size(protocol.transport)
        if exchange is not None:
            exchange.opened = True
        return protocol


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

"""The client's connections read at most ``READ_SIZE`` per socket read.

asyncio's selector transport reads up to 256 KiB into a fresh ``bytes`` each time; freed at
once, that allocation trims glibc's heap and costs page faults on every answer. The cap is
set on each new connection of the client's own pool, and left alone on transports that read
otherwise (uvloop's, which keep their own buffer and have no ``__dict__``).
"""

from __future__ import annotations

import asyncio
import socket
import ssl

import pytest
import trustme

from voxasync import AsyncVox
from voxasync._connector import READ_SIZE, ReuseAwareConnector, cap_read_size
from voxasync.testing import FakeVoxServer


@pytest.mark.anyio
async def test_a_new_connection_of_ours_reads_at_most_read_size(server: FakeVoxServer) -> None:
    """Every connection the client's connector hands out has its reads capped."""
    capped: list[int] = []
    original = ReuseAwareConnector.connect

    async def spy(self: ReuseAwareConnector, *args: object, **kwargs: object) -> object:
        connection = await original(self, *args, **kwargs)  # type: ignore[arg-type]
        transport = connection.transport
        assert transport is not None
        capped.append(transport.max_size)  # type: ignore[attr-defined]
        return connection

    ids = server.seed_pending(3)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ReuseAwareConnector, "connect", spy)
        async with AsyncVox(server.api_key, base_url=server.url) as vox:
            numbers = vox.organization_telephone_numbers
            restored = await asyncio.gather(*(numbers.revoke_cancel(i) for i in ids))
    assert len(capped) == 3 and set(capped) == {READ_SIZE}  # one per request
    assert [number.status for number in restored] == ["active"] * 3


@pytest.mark.anyio
async def test_the_cap_leaves_smaller_reads_and_other_transports_alone() -> None:
    """A transport that already reads less keeps its size; one without a ``max_size`` of its
    own, or without a ``__dict__`` to hold one, is left untouched and raises nothing."""
    loop = asyncio.get_running_loop()
    listener = socket.create_server(("127.0.0.1", 0))
    try:
        port = listener.getsockname()[1]
        transport, _ = await loop.create_connection(asyncio.Protocol, "127.0.0.1", port)
        try:
            assert type(transport).max_size > READ_SIZE  # type: ignore[attr-defined]
            cap_read_size(transport)
            assert transport.max_size == READ_SIZE  # type: ignore[attr-defined]
            transport.max_size = 1024  # type: ignore[attr-defined]
            cap_read_size(transport)
            assert transport.max_size == 1024  # type: ignore[attr-defined]
        finally:
            transport.close()
            await asyncio.sleep(0)
    finally:
        listener.close()

    class SlottedTransport(asyncio.Transport):
        __slots__ = ()
        max_size = 256 * 1024

    cap_read_size(SlottedTransport())  # no __dict__: nothing set, nothing raised
    cap_read_size(None)
    assert SlottedTransport.max_size == 256 * 1024


@pytest.mark.anyio
async def test_a_tls_connection_reads_at_most_read_size() -> None:
    """Over TLS asyncio's SSL protocol decrypts by a ``max_size`` of its own, as big as the
    socket transport's: it is capped too (the real API is https)."""
    ca = trustme.CA()
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_ssl)
    client_ssl = ssl.create_default_context()
    ca.configure_trust(client_ssl)
    server = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0, ssl=server_ssl)
    try:
        port = server.sockets[0].getsockname()[1]
        transport, _ = await asyncio.get_running_loop().create_connection(
            asyncio.Protocol, "127.0.0.1", port, ssl=client_ssl, server_hostname="localhost"
        )
        try:
            ssl_protocol = transport._ssl_protocol  # type: ignore[attr-defined]
            assert ssl_protocol.max_size > READ_SIZE
            cap_read_size(transport)
            assert ssl_protocol.max_size == READ_SIZE
        finally:
            transport.close()
    finally:
        server.close()
        await server.wait_closed()

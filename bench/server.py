"""A canned keep-alive HTTP/1.1 server on 127.0.0.1 for the benchmarks.

Every request, whatever its method or path, is answered ``200`` with one canned
revoke-cancel record (an ``active`` OrganizationTelephoneNumber). It is an
``asyncio.Protocol`` that parses just enough HTTP/1.1 for the clients under test:

- several requests may arrive in one read (pipelining) and one request may arrive over
  several reads (partial reads): the receive buffer is scanned request by request;
- a request body is skipped by ``Content-Length`` or ``Transfer-Encoding: chunked``;
- ``Connection: close`` (or HTTP/1.0 without keep-alive) closes after the answer.

Run it in its own process so that it never shares the client's event loop or GIL::

    python bench/server.py            # prints "PORT <n>" once listening, runs until killed
    python bench/server.py --port 8123
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys

RECORD = {
    "id": "5f0c2a64-8a52-4f7e-9d1b-3c6e2f9a7b10",
    "number": "07011112222",
    "provider": "vox",
    "status": "active",
    "start_at": 1_726_000_000_000,
    "created_at": 1_726_000_000_000,
    "updated_at": 1_735_000_000_000,
    "monthly_fee": 3000,
    "address": None,
    "inbound_trunk_id": None,
    "outbound_trunk_id": None,
    "inbound_agent": {
        "agent_id": "0b8f3a4e-6d2c-4e7a-9f15-2a7c9e1d4b36",
        "agent_version": "production",
    },
    "outbound_agent": None,
    "memo": None,
    "end_at": None,
    "cancel_requested_at": None,
}

BODY = json.dumps(RECORD, separators=(",", ":")).encode()

RESPONSE = (
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n"
    b"\r\n" + BODY
)
RESPONSE_CLOSE = RESPONSE.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)

#: A request head larger than this is refused (the connection is dropped).
MAX_HEAD = 64 * 1024


class BadRequest(Exception):
    pass


def _parse_head(head: bytes) -> tuple[int, bool]:
    """(body length, or -1 for chunked; whether to close the connection after answering)."""
    lines = head.split(b"\r\n")
    request_line = lines[0].split(b" ")
    if len(request_line) != 3 or not request_line[2].startswith(b"HTTP/1."):
        raise BadRequest(lines[0][:80])
    http10 = request_line[2] == b"HTTP/1.0"
    length = 0
    chunked = False
    connection = b""
    for line in lines[1:]:
        name, sep, value = line.partition(b":")
        if not sep:
            raise BadRequest(line[:80])
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value.strip())
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            connection = value.strip().lower()
    close = connection == b"close" or (http10 and connection != b"keep-alive")
    return (-1 if chunked else length), close


def _chunked_end(buffer: bytearray, start: int) -> int:
    """Index just past a chunked body starting at ``start``, or -1 if it is incomplete."""
    position = start
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return -1
        size = int(bytes(buffer[position:line_end]).split(b";", 1)[0], 16)
        position = line_end + 2
        if size == 0:
            # Skip trailers up to the empty line.
            while True:
                line_end = buffer.find(b"\r\n", position)
                if line_end < 0:
                    return -1
                if line_end == position:
                    return line_end + 2
                position = line_end + 2
        if len(buffer) < position + size + 2:
            return -1
        position += size + 2


class CannedProtocol(asyncio.Protocol):
    """Answers each complete request in the buffer with the canned response, in order."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        out: list[bytes] = []
        close = False
        consumed = 0
        try:
            while not close:
                head_end = buffer.find(b"\r\n\r\n", consumed)
                if head_end < 0:
                    if len(buffer) - consumed > MAX_HEAD:
                        raise BadRequest("request head too large")
                    break
                length, close = _parse_head(bytes(buffer[consumed:head_end]))
                body_start = head_end + 4
                if length < 0:
                    end = _chunked_end(buffer, body_start)
                    if end < 0:
                        close = False
                        break
                else:
                    end = body_start + length
                    if len(buffer) < end:
                        close = False
                        break
                consumed = end
                out.append(RESPONSE_CLOSE if close else RESPONSE)
        except (BadRequest, ValueError):
            assert self.transport is not None
            self.transport.write(
                b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            self.transport.close()
            return
        if consumed:
            del buffer[:consumed]
        assert self.transport is not None
        if out:
            self.transport.write(b"".join(out) if len(out) > 1 else out[0])
        if close:
            self.transport.close()


async def serve(port: int, backlog: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        CannedProtocol, "127.0.0.1", port, backlog=backlog, reuse_address=True
    )
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    bound = server.sockets[0].getsockname()[1]
    print(f"PORT {bound}", flush=True)
    async with server:
        await stop.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--backlog", type=int, default=4096)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.port, args.backlog))
    return 0


if __name__ == "__main__":
    sys.exit(main())

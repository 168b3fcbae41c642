"""Proxies, private CAs, client certificates and default headers, against real local servers.

``ForwardingProxy`` is a small HTTP proxy written here on asyncio streams: it forwards
absolute-form requests (``GET http://host/path``) and opens ``CONNECT`` tunnels, always to
one upstream address on 127.0.0.1 whatever host was asked for. So a base URL such as
``http://fake-vox.test:PORT`` (not loopback, never resolved by the client when proxied) goes
through the proxy to a FakeVoxServer. ``TLSFront`` puts TLS, with a certificate from a
``trustme`` CA made in the test, in front of a FakeVoxServer.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import ssl
import threading
import traceback
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
import trustme
from yarl import URL

from voxasync import APIConnectionError, APIStatusError, AsyncVox, Vox
from voxasync.testing import FakeVoxServer

SECRET = "pr0xy-S3CRET-pw"
HOST = "fake-vox.test"  # never resolved when proxied; fails at once when not


class _ThreadedServer:
    """An asyncio stream server on 127.0.0.1:0, on a loop in a thread of its own."""

    server_ssl: ssl.SSLContext | None = None

    def __enter__(self) -> Any:
        ready: asyncio.Future[int] | Any = None
        started = threading.Event()
        self.loop = asyncio.new_event_loop()

        async def serve() -> None:
            nonlocal ready
            server = await asyncio.start_server(
                self.handle, "127.0.0.1", 0, ssl=self.server_ssl
            )
            ready = server.sockets[0].getsockname()[1]
            self._server = server
            started.set()

        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(serve(), self.loop).result()
        started.wait()
        self.port = ready
        return self

    def __exit__(self, *exc_info: object) -> None:
        async def stop() -> None:
            self._server.close()
            for task in asyncio.all_tasks() - {asyncio.current_task()}:
                task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()
        self.loop.close()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.CancelledError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(OSError, RuntimeError):
        writer.close()


async def _splice(
    client: tuple[asyncio.StreamReader, asyncio.StreamWriter], upstream: tuple[str, int]
) -> None:
    up_reader, up_writer = await asyncio.open_connection(*upstream)
    await asyncio.gather(_pipe(client[0], up_writer), _pipe(up_reader, client[1]))


class ForwardingProxy(_ThreadedServer):
    def __init__(self, upstream: int, *, credentials: tuple[str, str] | None = None) -> None:
        self.upstream = ("127.0.0.1", upstream)
        self.expected = None
        if credentials is not None:
            token = base64.b64encode(":".join(credentials).encode()).decode()
            self.expected = f"Basic {token}"
        self.seen: list[tuple[str, str]] = []  # (method, request target)
        self.heads: list[str] = []  # each request's line and headers, as received
        self.proxy_authorization: list[str | None] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *lines = head.split("\r\n")[:-2]
        method, target, version = request_line.split(" ")
        headers = [tuple(line.split(": ", 1)) for line in lines]
        given = {name.lower(): value for name, value in headers}
        self.seen.append((method, target))
        self.heads.append(head)
        self.proxy_authorization.append(given.get("proxy-authorization"))
        if self.expected is not None and given.get("proxy-authorization") != self.expected:
            writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                         b"Proxy-Authenticate: Basic\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
            await writer.drain()
            writer.close()
            return
        if method == "CONNECT":
            writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            await _splice((reader, writer), self.upstream)
            return
        body = await reader.readexactly(int(given.get("content-length", "0")))
        kept = [
            f"{name}: {value}" for name, value in headers
            if name.lower() not in ("proxy-authorization", "connection")
        ]
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        origin_form = URL(target).raw_path_qs
        up_writer.write(
            "\r\n".join([f"{method} {origin_form} {version}", *kept, "Connection: close", "", ""])
            .encode("latin-1") + body
        )
        await _pipe(up_reader, writer)
        up_writer.close()


class TLSFront(_ThreadedServer):
    """TLS on 127.0.0.1, spliced to a plain upstream (a FakeVoxServer)."""

    def __init__(self, upstream: int, server_ssl: ssl.SSLContext) -> None:
        self.upstream = ("127.0.0.1", upstream)
        self.server_ssl = server_ssl

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _splice((reader, writer), self.upstream)


def fake_port(server: FakeVoxServer) -> int:
    port = URL(server.url).port
    assert port is not None
    return port


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def client_ssl(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


@pytest.fixture
def no_proxy_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


@pytest.fixture
def proxy(server: FakeVoxServer) -> Iterator[ForwardingProxy]:
    with ForwardingProxy(fake_port(server)) as forwarding:
        yield forwarding


def everything_about(error: BaseException) -> str:
    return "\n".join([str(error), repr(error), "".join(traceback.format_exception(error)),
                      repr(vars(error)), repr(error.args)])


# -- proxies ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_an_explicit_proxy_carries_every_request(
    server: FakeVoxServer, proxy: ForwardingProxy, no_proxy_env: pytest.MonkeyPatch
) -> None:
    (number_id,) = server.seed_pending(1)
    async with AsyncVox(server.api_key, base_url=server.url, proxy=proxy.url) as vox:
        await vox.organization_telephone_numbers.retrieve(number_id)
        restored = await vox.organization_telephone_numbers.revoke_cancel(number_id)
    assert restored.status == "active"
    path = f"/v3/organization-telephone-numbers/{number_id}"
    assert proxy.seen == [
        ("GET", server.url + path), ("POST", server.url + path + "/revoke-cancel")
    ]
    assert [r.status for r in server.requests] == [200, 200]


def test_proxy_credentials_are_sent_and_never_shown(
    server: FakeVoxServer, no_proxy_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    (number_id,) = server.seed_pending(1)
    with ForwardingProxy(fake_port(server), credentials=("team", SECRET)) as proxy:
        proxy_url = f"http://team:{SECRET}@127.0.0.1:{proxy.port}"
        with caplog.at_level(logging.DEBUG, logger="voxasync"), Vox(
            server.api_key, base_url=server.url, proxy=proxy_url
        ) as vox:
            assert vox.organization_telephone_numbers.retrieve(number_id).id == number_id
            assert SECRET not in repr(vox)
        assert proxy.proxy_authorization == [proxy.expected]
        # The proxy takes its header off; the API never sees the proxy's credentials.
        assert all("proxy-authorization" not in {k.lower() for k in r.headers}
                   for r in server.requests)

        wrong = f"http://team:wrong-{SECRET}@127.0.0.1:{proxy.port}"
        with Vox(server.api_key, base_url=server.url, proxy=wrong, max_retries=0) as vox, \
                pytest.raises(APIStatusError) as caught:
            vox.organization_telephone_numbers.retrieve(number_id)
    assert caught.value.status_code == 407
    assert SECRET not in everything_about(caught.value)
    assert SECRET not in caplog.text


@pytest.mark.anyio
async def test_a_refused_tunnel_is_a_connection_error_that_hides_the_credentials(
    server: FakeVoxServer, client_ssl: ssl.SSLContext, no_proxy_env: pytest.MonkeyPatch
) -> None:
    with ForwardingProxy(fake_port(server), credentials=("team", "right")) as proxy:
        wrong = f"http://team:{SECRET}@127.0.0.1:{proxy.port}"
        async with AsyncVox(server.api_key, base_url=f"https://{HOST}", proxy=wrong,
                            ssl=client_ssl, max_retries=0) as vox:
            with pytest.raises(APIConnectionError) as caught:
                await vox.organization_telephone_numbers.retrieve("any")
    assert proxy.seen == [("CONNECT", f"{HOST}:443")]
    assert server.api_key not in proxy.heads[0]
    assert SECRET not in everything_about(caught.value)


def test_http_proxy_from_the_environment(
    server: FakeVoxServer, proxy: ForwardingProxy, no_proxy_env: pytest.MonkeyPatch
) -> None:
    (number_id,) = server.seed_pending(1)
    no_proxy_env.setenv("HTTP_PROXY", proxy.url)
    base_url = f"http://{HOST}:{fake_port(server)}"
    with Vox(server.api_key, base_url=base_url, allow_insecure_http=True) as vox:
        vox.organization_telephone_numbers.revoke_cancel(number_id)
    assert proxy.seen == [
        ("POST", f"{base_url}/v3/organization-telephone-numbers/{number_id}/revoke-cancel")
    ]
    assert server.number(number_id)["status"] == "active"


@pytest.mark.parametrize(
    ("no_proxy", "host", "proxied"),
    [
        ("", HOST, True),
        ("*", HOST, False),
        (HOST, HOST, False),
        ("other.test, fake-vox.test", HOST, False),
        (".vox.test", "api.vox.test", False),
        ("vox.test", "api.vox.test", False),
        ("vox.test", "notvox.test", True),
        (f"{HOST}:1", HOST, True),  # another port
    ],
)
@pytest.mark.anyio
async def test_no_proxy_decides_which_hosts_go_direct(
    server: FakeVoxServer, proxy: ForwardingProxy, no_proxy_env: pytest.MonkeyPatch,
    no_proxy: str, host: str, proxied: bool,
) -> None:
    no_proxy_env.setenv("http_proxy", proxy.url)
    no_proxy_env.setenv("NO_PROXY", no_proxy)
    base_url = f"http://{host}:{fake_port(server)}"
    async with AsyncVox(server.api_key, base_url=base_url, allow_insecure_http=True,
                        max_retries=0) as vox:
        if proxied:
            await vox.organization_telephone_numbers.retrieve(server.seed_pending(1)[0])
        else:  # direct: the name does not resolve
            with pytest.raises(APIConnectionError):
                await vox.organization_telephone_numbers.retrieve("any")
    assert len(proxy.seen) == (1 if proxied else 0)


@pytest.mark.anyio
async def test_trust_env_false_and_loopback_ignore_the_environment(
    server: FakeVoxServer, proxy: ForwardingProxy, no_proxy_env: pytest.MonkeyPatch
) -> None:
    no_proxy_env.setenv("HTTP_PROXY", proxy.url)
    no_proxy_env.setenv("ALL_PROXY", proxy.url)
    (number_id,) = server.seed_pending(1)
    async with AsyncVox(server.api_key, base_url=server.url) as vox:  # 127.0.0.1: loopback
        await vox.organization_telephone_numbers.retrieve(number_id)
    async with AsyncVox(server.api_key, base_url=f"http://{HOST}", allow_insecure_http=True,
                        trust_env=False, max_retries=0) as vox:
        with pytest.raises(APIConnectionError):
            await vox.organization_telephone_numbers.retrieve(number_id)
    assert proxy.seen == []


def test_bad_proxy_settings_are_refused_without_quoting_secrets(
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(TypeError, match="proxy"):
        AsyncVox("k", proxy=3128)  # type: ignore[arg-type]
    for bad in (f"socks5://u:{SECRET}@proxy:1080", f"http://u:{SECRET}@", "proxy:3128"):
        with pytest.raises(ValueError, match="proxy") as caught:
            AsyncVox("k", proxy=bad)
        assert SECRET not in str(caught.value)
    no_proxy_env.setenv("HTTPS_PROXY", f"ftp://u:{SECRET}@proxy")
    with pytest.raises(ValueError, match="HTTPS_PROXY") as caught:
        Vox("k")
    assert SECRET not in str(caught.value)
    AsyncVox("k", trust_env=False)  # the environment is not read at all
    with pytest.raises(TypeError, match="trust_env"):
        AsyncVox("k", trust_env="no")  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_a_session_of_your_own_keeps_its_own_network_settings(
    client_ssl: ssl.SSLContext,
) -> None:
    async with aiohttp.ClientSession() as session:
        for extra in ({"proxy": "http://127.0.0.1:3128"}, {"ssl": client_ssl},
                      {"trust_env": False}):
            with pytest.raises(ValueError, match="session="):
                AsyncVox("k", session=session, **extra)  # type: ignore[arg-type]


# -- TLS -------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_private_ca_through_ssl(
    server: FakeVoxServer, ca: trustme.CA, client_ssl: ssl.SSLContext,
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_ssl)
    (number_id,) = server.seed_pending(1)
    with TLSFront(fake_port(server), server_ssl) as front:
        base_url = f"https://localhost:{front.port}"
        async with AsyncVox(server.api_key, base_url=base_url, max_retries=0) as vox:
            with pytest.raises(APIConnectionError, match="certificate") as caught:
                await vox.organization_telephone_numbers.retrieve(number_id)
            assert caught.value.request_may_have_been_sent is False
        async with AsyncVox(server.api_key, base_url=base_url, ssl=client_ssl) as vox:
            restored = await vox.organization_telephone_numbers.revoke_cancel(number_id)
    assert restored.status == "active"


def test_a_client_certificate_through_ssl(
    server: FakeVoxServer, ca: trustme.CA, client_ssl: ssl.SSLContext,
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost").configure_cert(server_ssl)
    ca.configure_trust(server_ssl)
    server_ssl.verify_mode = ssl.CERT_REQUIRED
    with TLSFront(fake_port(server), server_ssl) as front:
        base_url = f"https://localhost:{front.port}"
        with Vox(server.api_key, base_url=base_url, ssl=client_ssl, max_retries=0) as vox, \
                pytest.raises(APIConnectionError):
            vox.organization_telephone_numbers.retrieve("any")
        ca.issue_cert("client@example.test").configure_cert(client_ssl)
        with Vox(server.api_key, base_url=base_url, ssl=client_ssl) as vox:
            numbers = list(vox.organization_telephone_numbers.list())
    assert numbers == []


def test_https_through_a_proxy_from_the_environment(
    server: FakeVoxServer, ca: trustme.CA, client_ssl: ssl.SSLContext,
    no_proxy_env: pytest.MonkeyPatch,
) -> None:
    server_ssl = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert(HOST).configure_cert(server_ssl)
    (number_id,) = server.seed_pending(1)
    with TLSFront(fake_port(server), server_ssl) as front, \
            ForwardingProxy(front.port, credentials=("team", SECRET)) as proxy:
        no_proxy_env.setenv("HTTPS_PROXY", f"http://team:{SECRET}@127.0.0.1:{proxy.port}")
        with Vox(server.api_key, base_url=f"https://{HOST}", ssl=client_ssl) as vox:
            assert vox.organization_telephone_numbers.revoke_cancel(number_id).status == "active"
    assert proxy.seen == [("CONNECT", f"{HOST}:443")]
    # aiohttp sends a session's default headers in the CONNECT too: the key must not be there.
    (connect,) = proxy.heads
    assert server.api_key not in connect
    assert "authorization: basic" in connect.lower()


def test_ssl_must_be_a_context() -> None:
    with pytest.raises(TypeError, match=r"ssl\.SSLContext"):
        AsyncVox("k", ssl=False)  # type: ignore[arg-type]


# -- default headers -------------------------------------------------------------------------


def test_default_headers_go_with_every_request(
    server: FakeVoxServer, caplog: pytest.LogCaptureFixture
) -> None:
    headers = {"X-Team": "billing", "X-Gateway-Token": SECRET, "User-Agent": "restorer/2.1"}
    with caplog.at_level(logging.DEBUG, logger="voxasync"), Vox(
        server.api_key, base_url=server.url, default_headers=headers
    ) as vox:
        list(vox.organization_telephone_numbers.list())
    (request,) = server.requests
    assert request.authorized
    sent = {name.lower(): value for name, value in request.headers.items()}
    assert sent["x-team"] == "billing"
    assert sent["x-gateway-token"] == SECRET
    assert sent["user-agent"].startswith("restorer/2.1 voxasync/")
    assert sent["accept"] == "application/json"
    assert SECRET not in caplog.text  # the values the user gave are not logged
    assert "restorer/2.1" in caplog.text


@pytest.mark.anyio
async def test_default_headers_with_a_session_of_your_own(server: FakeVoxServer) -> None:
    async with aiohttp.ClientSession() as session, AsyncVox(
        server.api_key, base_url=server.url, session=session, default_headers={"X-Team": "t"}
    ) as vox:
        async for _ in vox.organization_telephone_numbers.list():
            pass
    assert server.requests[0].headers["X-Team"] == "t"


@pytest.mark.parametrize(
    "name", ["Authorization", "authorization", "Accept", "Proxy-Authorization", "Host",
             "Content-Length"],
)
def test_default_headers_cannot_replace_the_sdks_own(name: str) -> None:
    with pytest.raises(ValueError, match=name):
        AsyncVox("k", default_headers={name: "Bearer other"})


def test_default_headers_are_checked() -> None:
    with pytest.raises(TypeError, match="default_headers"):
        AsyncVox("k", default_headers=[("X-A", "b")])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="default_headers"):
        AsyncVox("k", default_headers={"X-A": 1})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="line break") as caught:
        AsyncVox("k", default_headers={"X-A": f"{SECRET}\r\nX-B: c"})
    assert SECRET not in str(caught.value)
    with pytest.raises(ValueError, match="name"):
        AsyncVox("k", default_headers={"X A": "b"})

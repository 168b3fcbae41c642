"""The API key appears in no repr, no exception text and no log line."""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import AsyncIterator, Iterator

import pytest

from voxasync import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AsyncVox,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    UnprocessableEntityError,
    Vox,
    VoxError,
)
from voxasync._pipeline import _Call
from voxasync.models import OrganizationTelephoneNumber
from voxasync.testing import FakeVoxServer, Fault

KEY = "vox-sk-live-9f3b1c7e-SECRET-d0-n0t-l3ak"
WRONG_KEY = "vox-sk-live-0000-OTHER-SECRET-1234"
SECRETS = (KEY, WRONG_KEY, "9f3b1c7e-SECRET", "OTHER-SECRET")


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"secret leaked in: {text[:300]!r}"


def everything_about(error: BaseException) -> str:
    """str, repr, the full chained traceback, and the repr of every attribute."""
    return "\n".join(
        [
            str(error),
            repr(error),
            "".join(traceback.format_exception(error)),
            repr(vars(error)),
            repr(error.args),
        ]
    )


@pytest.fixture
def secret_server() -> Iterator[FakeVoxServer]:
    with FakeVoxServer(api_key=KEY) as fake:
        yield fake


@pytest.fixture
async def secret_avox(secret_server: FakeVoxServer) -> AsyncIterator[AsyncVox]:
    async with AsyncVox(KEY, base_url=secret_server.url, max_retries=0) as client:
        yield client


@pytest.fixture
def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def clean_logger() -> Iterator[logging.Logger]:
    """The ``voxasync`` logger with no handlers; restored afterwards as it was."""
    logger = logging.getLogger("voxasync")
    saved = (logger.handlers[:], logger.level, logger.propagate)
    for handler in saved[0]:
        logger.removeHandler(handler)
    try:
        yield logger
    finally:
        for handler in logger.handlers[:]:
            logger.removeHandler(handler)
            handler.close()
        for handler in saved[0]:
            logger.addHandler(handler)
        logger.setLevel(saved[1])
        logger.propagate = saved[2]


# -- reprs ------------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_no_secret_in_client_reprs(secret_server: FakeVoxServer) -> None:
    async with AsyncVox(KEY, base_url=secret_server.url) as avox:
        copy = avox.with_options(max_retries=0)
        async_objects: tuple[object, ...] = (
            avox, copy, avox.organization_telephone_numbers,
            avox.organization_telephone_numbers.list(),
        )
        for obj in async_objects:
            assert_no_secret(repr(obj))
            assert_no_secret(str(obj))
        assert secret_server.url in repr(avox)
    with Vox(KEY, base_url=secret_server.url) as vox:
        sync_objects: tuple[object, ...] = (
            vox, vox.with_options(max_retries=0), vox.organization_telephone_numbers,
            vox.organization_telephone_numbers.list(),
        )
        for obj in sync_objects:
            assert_no_secret(repr(obj))
            assert_no_secret(str(obj))


def test_no_secret_in_a_key_from_the_environment(
    secret_server: FakeVoxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VOX_API_KEY", KEY)
    with Vox(base_url=secret_server.url) as vox:
        assert_no_secret(repr(vox))


# -- exceptions from real failing calls -------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("fault", "cls"),
    [
        (Fault.status(400), BadRequestError),
        (Fault.status(403), PermissionDeniedError),
        (Fault.status(404, body="html"), NotFoundError),
        (Fault.status(409), ConflictError),
        (Fault.status(418, body="empty"), APIStatusError),
        (Fault.status(422), UnprocessableEntityError),
        (Fault.rate_limited(retry_after="1"), RateLimitError),
        (Fault.status(500), InternalServerError),
        (Fault.status(502, body="html"), InternalServerError),
        (Fault.status(503, body="empty"), InternalServerError),
        (Fault.status(504, body=b"upstream timed out"), InternalServerError),
        (Fault.not_json(), APIResponseValidationError),
        (Fault.extra_fields(created_at="not a number"), APIResponseValidationError),
        (Fault.reset(), APIConnectionError),
        (Fault.reset_mid_body(), APIConnectionError),
    ],
)
async def test_no_secret_in_any_error(
    secret_server: FakeVoxServer, secret_avox: AsyncVox, fault: Fault, cls: type[VoxError]
) -> None:
    (number_id,) = secret_server.seed_pending(1)
    secret_server.inject(fault)
    with pytest.raises(VoxError) as caught:
        await secret_avox.organization_telephone_numbers.revoke_cancel(number_id)
    assert type(caught.value) is cls
    assert_no_secret(everything_about(caught.value))


@pytest.mark.anyio
async def test_no_secret_in_an_authentication_error(secret_server: FakeVoxServer) -> None:
    async with AsyncVox(WRONG_KEY, base_url=secret_server.url, max_retries=0) as client:
        with pytest.raises(AuthenticationError) as caught:
            await client.organization_telephone_numbers.retrieve("n-1")
    assert_no_secret(everything_about(caught.value))


@pytest.mark.anyio
async def test_no_secret_in_a_connection_error(closed_port_url: str) -> None:
    async with AsyncVox(KEY, base_url=closed_port_url, max_retries=0) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.organization_telephone_numbers.revoke_cancel("n-1")
    # aiohttp's error is neither cause nor context (its request_info holds our headers)...
    assert caught.value.__cause__ is None and caught.value.__context__ is None
    assert "ClientConnectorError" in str(caught.value)  # ...the message names it
    assert_no_secret(everything_about(caught.value))


@pytest.mark.anyio
async def test_no_secret_in_a_timeout(
    secret_server: FakeVoxServer, secret_avox: AsyncVox
) -> None:
    secret_server.inject(Fault.slow(0.3))
    with pytest.raises(APITimeoutError) as caught:
        await secret_avox.organization_telephone_numbers.retrieve("n-1", timeout=0.05)
    assert_no_secret(everything_about(caught.value))


@pytest.mark.anyio
async def test_no_secret_in_a_deadline_error(secret_server: FakeVoxServer) -> None:
    # The 30 s the server asks for cannot fit the 5 s deadline: raised at once, no sleep.
    secret_server.inject(Fault.rate_limited(retry_after="30"))
    async with AsyncVox(KEY, base_url=secret_server.url, deadline=5) as client:
        with pytest.raises(APITimeoutError, match="deadline") as caught:
            await client.organization_telephone_numbers.retrieve("n-1")
    assert_no_secret(everything_about(caught.value))


@pytest.mark.anyio
async def test_no_secret_in_a_closed_client_or_bad_argument_error(
    secret_server: FakeVoxServer,
) -> None:
    client = AsyncVox(KEY, base_url=secret_server.url)
    with pytest.raises(ValueError, match="organization_telephone_number_id") as bad:
        await client.organization_telephone_numbers.revoke_cancel(" ")
    await client.aclose()
    with pytest.raises(VoxError) as closed:
        await client.organization_telephone_numbers.revoke_cancel("n-1")
    assert_no_secret(everything_about(bad.value))
    assert_no_secret(everything_about(closed.value))


def test_no_secret_in_configuration_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOX_API_KEY", KEY)
    for kwargs in ({"base_url": "http://example.com"}, {"base_url": "ftp://x"},
                   {"max_connections": 0}, {"timeout": -1}):
        with pytest.raises((VoxError, ValueError)) as caught:
            AsyncVox(**kwargs)
        assert_no_secret(everything_about(caught.value))


def test_no_secret_in_errors_through_the_sync_client(
    secret_server: FakeVoxServer, closed_port_url: str
) -> None:
    with Vox(KEY, base_url=secret_server.url, max_retries=0) as vox:
        secret_server.inject(Fault.status(502, body="html"))
        with pytest.raises(InternalServerError) as status_error:
            vox.organization_telephone_numbers.revoke_cancel("n-1")
        with pytest.raises(NotFoundError) as not_found:
            vox.organization_telephone_numbers.retrieve("n-1")
    with Vox(KEY, base_url=closed_port_url, max_retries=0) as vox, pytest.raises(
        APIConnectionError
    ) as connection_error:
        vox.organization_telephone_numbers.retrieve("n-1")
    for caught in (status_error, not_found, connection_error):
        assert_no_secret(everything_about(caught.value))


# -- logs -------------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_no_secret_in_debug_logs(
    secret_server: FakeVoxServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="voxasync")
    pending = secret_server.seed_pending(2)
    secret_server.inject(Fault.status(503), Fault.reset())  # two retried failures
    async with AsyncVox(KEY, base_url=secret_server.url) as client:
        numbers = client.organization_telephone_numbers
        await numbers.revoke_cancel(pending[0])
        await numbers.revoke_cancel_many([*pending[1:], "missing"])
        _ = [n async for n in numbers.list(status="active")]
        with pytest.raises(NotFoundError):
            await numbers.retrieve("missing")
    async with AsyncVox(WRONG_KEY, base_url=secret_server.url) as client:
        with pytest.raises(AuthenticationError):
            await client.organization_telephone_numbers.retrieve(pending[0])

    records = [r for r in caplog.records if r.name.startswith("voxasync")]
    assert any(r.levelno == logging.DEBUG for r in records)  # DEBUG logging really ran
    assert any("retrying" in r.getMessage() for r in records)
    assert any("Authorization" in r.getMessage() for r in records)  # headers are logged...
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in records:
        assert_no_secret(formatter.format(record))  # ...but never the key
    assert_no_secret(caplog.text)


@pytest.mark.parametrize(("setting", "shows_debug"), [("debug", True), ("DEBUG ", True),
                                                      ("info", False)])
def test_vox_log_turns_on_logging_without_secrets(
    secret_server: FakeVoxServer,
    clean_logger: logging.Logger,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    setting: str,
    shows_debug: bool,
) -> None:
    monkeypatch.setenv("VOX_LOG", setting)
    number_id = secret_server.add_number()["id"]
    with Vox(KEY, base_url=secret_server.url) as vox:
        vox.organization_telephone_numbers.retrieve(number_id)
    assert len(clean_logger.handlers) == 1
    assert clean_logger.level == (logging.DEBUG if shows_debug else logging.INFO)
    with Vox(KEY, base_url=secret_server.url):  # a second client adds no second handler
        pass
    assert len(clean_logger.handlers) == 1

    err = capsys.readouterr().err
    assert f"GET /v3/organization-telephone-numbers/{number_id}" in err
    assert ("DEBUG" in err) is shows_debug
    assert_no_secret(err)


def test_without_vox_log_the_sdk_adds_no_handler(
    clean_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VOX_LOG", raising=False)
    AsyncVox(KEY, base_url="http://127.0.0.1:9")
    assert clean_logger.handlers == []



@pytest.mark.anyio
async def test_no_secret_in_the_repr_of_a_call_in_progress() -> None:
    """A call is ``self`` in every frame of its retry loop, which error trackers that keep
    local variables print: its body shows a SIP password as ``***``."""
    password = "sip-pass-SECRET-71"
    async with AsyncVox(KEY, base_url="http://127.0.0.1:9") as vox:
        call = _Call(
            vox.organization_telephone_numbers._api, "PATCH",
            "/v3/organization-telephone-numbers/n-1/sip", OrganizationTelephoneNumber, None,
            {"address": "sip:pbx.example:5060", "auth_password": password}, None,
        )
        text = repr(call)
    assert "'auth_password': '***'" in text and "sip:pbx.example" in text
    assert password not in text
    assert not any(secret in text for secret in SECRETS)

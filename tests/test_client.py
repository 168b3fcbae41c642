"""AsyncVox configuration, headers and life cycle, against the fake server over loopback."""

from __future__ import annotations

import asyncio
import gc

import aiohttp
import anyio
import pytest

import voxasync
from voxasync import APIStatusError, AsyncVox, InternalServerError, Vox, VoxError
from voxasync.testing import FakeVoxServer, Fault

from helpers import drop_and_collect, no_resource_warnings, portal_threads

DEFAULT_BASE_URL = "https://client-api.tryvox.co"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No VOX_* configuration leaks in from the environment running the tests."""
    for name in ("VOX_API_KEY", "VOX_BASE_URL", "VOX_LOG"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


# -- api_key ----------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_api_key_and_base_url_from_the_environment(
    server: FakeVoxServer, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("VOX_API_KEY", server.api_key)
    clean_env.setenv("VOX_BASE_URL", server.url)
    number_id = server.add_number()["id"]
    async with AsyncVox() as client:
        assert client.base_url == server.url
        number = await client.organization_telephone_numbers.retrieve(number_id)
    assert number.id == number_id
    assert [r.authorized for r in server.requests] == [True]


def test_sync_client_reads_the_environment_too(
    server: FakeVoxServer, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("VOX_API_KEY", server.api_key)
    clean_env.setenv("VOX_BASE_URL", server.url)
    number_id = server.add_number()["id"]
    with Vox() as client:
        assert client.organization_telephone_numbers.retrieve(number_id).id == number_id
    assert [r.authorized for r in server.requests] == [True]


@pytest.mark.anyio
async def test_arguments_win_over_the_environment(
    server: FakeVoxServer, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("VOX_API_KEY", "wrong-key-from-env")
    clean_env.setenv("VOX_BASE_URL", "https://example.invalid")
    async with AsyncVox(server.api_key, base_url=server.url, max_retries=0) as client:
        with pytest.raises(APIStatusError):  # 404: the id is unknown, but we were let in
            await client.organization_telephone_numbers.retrieve("unknown")
    assert [(r.authorized, r.status) for r in server.requests] == [(True, 404)]


@pytest.mark.anyio
async def test_surrounding_whitespace_in_the_key_is_ignored(
    server: FakeVoxServer, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("VOX_API_KEY", f"  {server.api_key}\n")  # as read from a .env file
    number_id = server.add_number()["id"]
    async with AsyncVox(base_url=server.url) as client:
        await client.organization_telephone_numbers.retrieve(number_id)
    assert server.requests[0].authorized


@pytest.mark.parametrize("env_value", [None, "", "   "])
def test_no_key_anywhere_is_a_vox_error_naming_the_variable(
    clean_env: pytest.MonkeyPatch, env_value: str | None
) -> None:
    if env_value is not None:
        clean_env.setenv("VOX_API_KEY", env_value)
    before = portal_threads()
    with pytest.raises(VoxError, match="VOX_API_KEY"):
        AsyncVox()
    with pytest.raises(VoxError, match="VOX_API_KEY"):
        Vox()
    with pytest.raises(VoxError, match="VOX_API_KEY"):
        AsyncVox("")
    with pytest.raises(VoxError, match="VOX_API_KEY"):
        AsyncVox("  \t")
    assert portal_threads() == before  # a failed Vox() starts no thread


@pytest.mark.parametrize("key", [123, b"key", ["key"]])
def test_a_key_that_is_not_a_str_is_a_type_error(key: object) -> None:
    with pytest.raises(TypeError, match="api_key"):
        AsyncVox(key)  # type: ignore[arg-type]


# -- base_url ---------------------------------------------------------------------------------


def test_default_base_url(clean_env: pytest.MonkeyPatch) -> None:
    assert AsyncVox("k").base_url == DEFAULT_BASE_URL
    clean_env.setenv("VOX_BASE_URL", "")
    assert AsyncVox("k").base_url == DEFAULT_BASE_URL
    with Vox("k") as client:
        assert client.base_url == DEFAULT_BASE_URL


def test_base_url_from_env_is_checked_like_an_argument(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("VOX_BASE_URL", "http://vox.example.com")
    with pytest.raises(VoxError, match="http"):
        AsyncVox("k")


@pytest.mark.parametrize(
    "url",
    [
        "http://client-api.tryvox.co",
        "http://example.com:8080",
        "http://10.0.0.1",
        "http://192.168.0.10:80/",
        "http://0.0.0.0:8080",
        "http://localhost.evil.example",
        "http://127.0.0.1.nip.io",
        "http://[2001:db8::1]:8080",
        "HTTP://EXAMPLE.COM",
    ],
)
def test_plain_http_to_a_remote_host_is_refused(url: str) -> None:
    before = portal_threads()
    with pytest.raises(VoxError, match="allow_insecure_http"):
        AsyncVox("k", base_url=url)
    with pytest.raises(VoxError, match="allow_insecure_http"):
        Vox("k", base_url=url)
    assert portal_threads() == before
    assert AsyncVox("k", base_url=url, allow_insecure_http=True).base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost",
        "http://localhost:8080",
        "http://LOCALHOST:8080",
        "http://api.localhost:8080",
        "http://127.0.0.1",
        "http://127.0.0.1:9",
        "http://127.8.9.10:1234",
        "http://[::1]",
        "http://[::1]:8080",
        "https://example.com",
        "https://client-api.tryvox.co/",
    ],
)
def test_loopback_http_and_any_https_are_allowed(url: str) -> None:
    assert AsyncVox("k", base_url=url).base_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["client-api.tryvox.co", "ftp://client-api.tryvox.co", "https://", "", "   "]
)
def test_a_base_url_that_is_not_http_is_refused(url: str) -> None:
    with pytest.raises(VoxError):
        AsyncVox("k", base_url=url)


def test_a_base_url_with_credentials_is_refused_without_echoing_them() -> None:
    with pytest.raises(VoxError) as caught:
        AsyncVox("k", base_url="https://user:hunter2-secret@client-api.tryvox.co")
    assert "hunter2-secret" not in str(caught.value)


@pytest.mark.anyio
async def test_a_trailing_slash_in_base_url_changes_no_path(server: FakeVoxServer) -> None:
    number_id = server.add_number()["id"]
    async with AsyncVox(server.api_key, base_url=server.url + "/") as client:
        await client.organization_telephone_numbers.retrieve(number_id)
    assert server.requests[0].path == f"/v3/organization-telephone-numbers/{number_id}"


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"max_retries": -1}, ValueError),
        ({"max_retries": 1.5}, TypeError),
        ({"max_retries": True}, TypeError),
        ({"timeout": 0}, ValueError),
        ({"timeout": -1.0}, ValueError),
        ({"timeout": "10"}, TypeError),
        ({"deadline": 0}, ValueError),
        ({"max_connections": 0}, ValueError),
        ({"max_connections": 2.0}, TypeError),
        ({"rate_limit": 0}, ValueError),
    ],
)
def test_bad_settings_are_refused_at_construction(kwargs: dict[str, object], error: type) -> None:
    with pytest.raises(error):
        AsyncVox("k", **kwargs)  # type: ignore[arg-type]


# -- what goes on the wire --------------------------------------------------------------------


@pytest.mark.anyio
async def test_headers_the_server_saw(server: FakeVoxServer, avox: AsyncVox) -> None:
    (number_id,) = server.seed_pending(1)
    await avox.organization_telephone_numbers.revoke_cancel(number_id)
    await avox.organization_telephone_numbers.retrieve(number_id)
    assert len(server.requests) == 2
    for request in server.requests:
        assert request.authorized
        assert request.headers["Accept"] == "application/json"
        assert request.headers["User-Agent"].startswith(f"voxasync/{voxasync.__version__}")
        assert "Authorization" not in request.headers  # the fake never keeps it


def test_headers_the_server_saw_from_the_sync_client(server: FakeVoxServer, vox: Vox) -> None:
    number_id = server.add_number()["id"]
    vox.organization_telephone_numbers.retrieve(number_id)
    (request,) = server.requests
    assert request.authorized
    assert request.headers["Accept"] == "application/json"
    assert request.headers["User-Agent"].startswith(f"voxasync/{voxasync.__version__} ")


@pytest.mark.anyio
async def test_revoke_cancel_is_a_bodiless_post(server: FakeVoxServer, avox: AsyncVox) -> None:
    (number_id,) = server.seed_pending(1)
    await avox.organization_telephone_numbers.revoke_cancel(number_id)
    (request,) = server.requests
    assert request.method == "POST"
    assert request.action == "revoke-cancel"
    assert request.query == ()
    assert request.headers.get("Content-Length", "0") == "0"


# -- a session of the user's ------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_users_session_is_used_and_never_closed(server: FakeVoxServer) -> None:
    number_id = server.add_number()["id"]
    async with aiohttp.ClientSession(headers={"X-Trace": "mine"}) as session:
        client = AsyncVox(server.api_key, base_url=server.url, session=session)
        number = await client.organization_telephone_numbers.retrieve(number_id)
        await client.aclose()
        await client.aclose()
        assert not session.closed
        # The session still works for the user after the client is gone.
        async with session.get(server.url + "/v3/organization-telephone-numbers") as response:
            assert response.status == 401  # their own request carries no key of ours
        with pytest.raises(VoxError, match="closed"):
            await client.organization_telephone_numbers.retrieve(number_id)
    assert number.id == number_id
    ours, theirs = server.requests
    assert ours.authorized
    assert ours.headers["X-Trace"] == "mine"  # it really went through their session
    assert ours.headers["User-Agent"].startswith("voxasync/")
    assert not theirs.authorized


@pytest.mark.anyio
async def test_a_client_on_a_users_session_needs_no_close(server: FakeVoxServer) -> None:
    number_id = server.add_number()["id"]
    async with aiohttp.ClientSession() as session:
        client = AsyncVox(server.api_key, base_url=server.url, session=session)
        await client.organization_telephone_numbers.retrieve(number_id)
        with no_resource_warnings():
            del client
            gc.collect()


# -- life cycle -------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_aclose_is_idempotent_and_a_closed_client_refuses_calls(
    server: FakeVoxServer,
) -> None:
    number_id = server.add_number()["id"]
    client = AsyncVox(server.api_key, base_url=server.url)
    async with client:
        await client.organization_telephone_numbers.retrieve(number_id)
    await client.aclose()
    await client.aclose()
    with pytest.raises(VoxError, match="closed"):
        await client.organization_telephone_numbers.retrieve(number_id)
    with pytest.raises(VoxError, match="closed"):
        await client.organization_telephone_numbers.revoke_cancel(number_id)
    assert len(server.requests) == 1


@pytest.mark.anyio
async def test_a_client_closed_before_any_call_refuses_calls(server: FakeVoxServer) -> None:
    client = AsyncVox(server.api_key, base_url=server.url)
    await client.aclose()
    with pytest.raises(VoxError, match="closed"):
        await client.organization_telephone_numbers.retrieve("n-1")
    assert server.requests == []


def test_sync_close_is_idempotent_and_a_closed_client_refuses_calls(
    server: FakeVoxServer,
) -> None:
    client = Vox(server.api_key, base_url=server.url)
    client.close()
    client.close()
    with pytest.raises(VoxError, match="closed"):
        client.organization_telephone_numbers.retrieve("n-1")
    assert server.requests == []


@pytest.mark.anyio
async def test_an_open_client_collected_warns(server: FakeVoxServer) -> None:
    number_id = server.add_number()["id"]
    client = AsyncVox(server.api_key, base_url=server.url)
    await client.organization_telephone_numbers.retrieve(number_id)
    leaked = client.session  # to clean up after the warning
    assert leaked is not None
    holder: list[object] = [client]
    del client
    with pytest.warns(ResourceWarning, match="unclosed"):
        drop_and_collect(holder)
    assert not leaked.closed  # the finalizer only warns: it schedules nothing
    await leaked.close()


def test_a_client_never_used_holds_nothing_to_close() -> None:
    client = AsyncVox("k", base_url="http://127.0.0.1:9")
    with no_resource_warnings():
        del client
        gc.collect()


@pytest.mark.anyio
async def test_a_client_is_bound_to_the_loop_it_first_ran_on(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number()["id"]
    await avox.organization_telephone_numbers.retrieve(number_id)

    def on_another_loop() -> object:
        return asyncio.run(avox.organization_telephone_numbers.retrieve(number_id))

    with pytest.raises(VoxError, match="event loop"):
        await anyio.to_thread.run_sync(on_another_loop)
    assert len(server.requests) == 1
    # ...and it still works on its own loop.
    assert (await avox.organization_telephone_numbers.retrieve(number_id)).id == number_id


# -- with_options -----------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.usefixtures("no_wait")
async def test_with_options_changes_settings_and_shares_the_pool(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    number_id = server.add_number()["id"]
    once = avox.with_options(max_retries=0)
    assert isinstance(once, AsyncVox)
    assert once.base_url == avox.base_url

    server.inject(Fault.status(503), times=3)
    with pytest.raises(InternalServerError):
        await once.organization_telephone_numbers.retrieve(number_id)
    assert len(server.requests) == 1  # the copy does not retry...
    server.clear_requests()
    assert (await avox.organization_telephone_numbers.retrieve(number_id)).id == number_id
    assert [r.status for r in server.requests] == [503, 503, 200]  # ...the original still does

    # Closing the copy closes nothing; closing the original closes the shared pool.
    await once.aclose()
    assert (await once.organization_telephone_numbers.retrieve(number_id)).id == number_id
    assert (await avox.organization_telephone_numbers.retrieve(number_id)).id == number_id
    await avox.aclose()
    with pytest.raises(VoxError, match="closed"):
        await once.organization_telephone_numbers.retrieve(number_id)


def test_sync_with_options_shares_the_thread(server: FakeVoxServer) -> None:
    number_id = server.add_number()["id"]
    before = portal_threads()
    with Vox(server.api_key, base_url=server.url) as client:
        once = client.with_options(max_retries=0)
        assert len(portal_threads() - before) == 1  # no second thread for the copy
        server.inject(Fault.status(503), times=3)
        with pytest.raises(InternalServerError):
            once.organization_telephone_numbers.retrieve(number_id)
        assert len(server.requests) == 1
        server.clear_faults()
        once.close()  # a no-op on a copy
        assert once.organization_telephone_numbers.retrieve(number_id).id == number_id
    assert portal_threads() == before
    with pytest.raises(VoxError, match="closed"):  # the copy of a closed client is closed
        once.organization_telephone_numbers.retrieve(number_id)


@pytest.mark.parametrize("bad_key", ["sk-live-abc\ndef", "sk-live-abc\r\nx", "sk\0live"])
def test_a_key_with_a_line_break_is_refused_without_quoting_it(bad_key: str) -> None:
    with pytest.raises(VoxError) as caught:
        AsyncVox(bad_key, base_url="http://127.0.0.1:9")
    assert "sk" not in str(caught.value)
    assert "cannot go in an HTTP header" in str(caught.value)


def test_a_key_read_with_a_trailing_newline_is_trimmed(server) -> None:
    with Vox(server.api_key + "\n", base_url=server.url) as vox:
        (number_id,) = server.seed_pending(1)
        vox.organization_telephone_numbers.revoke_cancel(number_id)
    assert [r.authorized for r in server.requests] == [True]


@pytest.mark.anyio
async def test_a_copy_keeps_its_original_alive(server: FakeVoxServer) -> None:
    import gc
    import weakref

    original = AsyncVox(server.api_key, base_url=server.url)
    alive = weakref.ref(original)
    copy = original.with_options(max_retries=0)
    del original
    (number_id,) = server.seed_pending(1)
    await copy.organization_telephone_numbers.revoke_cancel(number_id)
    gc.collect()  # the original is referenced only by its copy: it must not be collected
    assert (await copy.organization_telephone_numbers.retrieve(number_id)).status == "active"
    original = alive()
    assert original is not None
    await original.aclose()
    assert copy.is_closed

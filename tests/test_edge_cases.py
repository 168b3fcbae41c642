"""Edge cases found by reading the code: each a way to lose control of a client or leak a
secret that no other test drove."""

from __future__ import annotations

import pytest

from voxasync import AsyncVox, BatchAborted, OrganizationTelephoneNumber, Vox, VoxError
from voxasync.testing import FakeVoxServer


def test_a_proxy_url_without_a_scheme_never_quotes_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "alice:s3cret@proxy.corp:3128")
    with pytest.raises((ValueError, VoxError)) as caught:
        Vox("k", base_url="https://client-api.example")
    assert "s3cret" not in str(caught.value)
    assert "proxy.corp" in str(caught.value)


def test_close_from_the_clients_own_thread_is_refused_and_leaves_it_closable(
    server: FakeVoxServer,
) -> None:
    ids = server.seed_pending(2)
    vox = Vox(server.api_key, base_url=server.url)
    refused: list[BaseException] = []

    def on_result(*_: object) -> None:
        try:
            vox.close()
        except VoxError as error:
            refused.append(error)

    vox.organization_telephone_numbers.revoke_cancel_many(ids, on_result=on_result)
    assert len(refused) == 2 and "own event loop thread" in str(refused[0])
    assert vox.organization_telephone_numbers.retrieve(ids[0]).status == "active"
    vox.close()  # the real close still does the whole job
    with pytest.raises(VoxError, match="closed"):
        vox.organization_telephone_numbers.retrieve(ids[0])


def test_a_generator_that_exits_aborts_the_batch_not_the_client(server: FakeVoxServer) -> None:
    ids = server.seed_pending(3)

    def ids_then_exit():
        yield from ids
        raise SystemExit(3)

    with Vox(server.api_key, base_url=server.url) as vox:
        numbers = vox.organization_telephone_numbers
        with pytest.raises(BatchAborted) as caught:
            numbers.revoke_cancel_many(ids_then_exit(), concurrency=2)
        assert isinstance(caught.value.__cause__, SystemExit)
        assert [o.index for o in caught.value.outcomes] == [0, 1, 2]
        assert all(isinstance(o.result, OrganizationTelephoneNumber) for o in caught.value.outcomes)
        assert numbers.retrieve(ids[0]).status == "active"  # the client still works


@pytest.mark.anyio
async def test_a_stream_read_through_chunks_cannot_be_read_again(server: FakeVoxServer) -> None:
    ids = server.seed_pending(2)
    async with AsyncVox(server.api_key, base_url=server.url) as vox:
        stream = vox.organization_telephone_numbers.revoke_cancel_iter(ids)
        chunks = [chunk async for chunk in stream.chunks(10)]
        assert sorted(o.id for chunk in chunks for o in chunk) == sorted(ids)
        assert [o async for o in stream] == []  # no second engine over the same ids
    assert len(server.requests) == 2


def test_an_abandoned_generator_of_ids_is_finalized_off_the_loop(server: FakeVoxServer) -> None:
    """Its ``finally`` may use the same Vox (a pager of that client, say): never on the loop."""
    import threading
    import time

    ids = server.seed_pending(200)
    finalized_on: list[str] = []

    def generator_of_ids():
        try:
            yield from ids
        finally:
            finalized_on.append(threading.current_thread().name)

    with Vox(server.api_key, base_url=server.url) as vox:
        for _ in vox.organization_telephone_numbers.revoke_cancel_iter(generator_of_ids()):
            break
        deadline = time.monotonic() + 10
        while not finalized_on and time.monotonic() < deadline:
            time.sleep(0.01)
    assert finalized_on == ["voxasync-id-reader"]

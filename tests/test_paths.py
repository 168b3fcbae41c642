"""Ids never reach the server when invalid, and never change the request path when valid."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from voxasync import AsyncVox, NotFoundError, Vox
from voxasync._paths import number_path
from voxasync.testing import FakeVoxServer, RecordedRequest

PREFIX = "/v3/organization-telephone-numbers/"

#: (id, the exception it raises): every one is refused before any request.
BAD_IDS: list[tuple[object, type[Exception]]] = [
    ("", ValueError),
    ("   ", ValueError),
    ("\t\n", ValueError),
    ("\u3000", ValueError),  # an ideographic space is blank too
    (".", ValueError),
    ("..", ValueError),
    (None, TypeError),
    (123, TypeError),
    (b"x", TypeError),
    (["a"], TypeError),
    (1.5, TypeError),
]

TRICKY_IDS = [
    "a/b",
    "../../v1/admin",
    "a/../b",
    "x?status=expired",
    "x#fragment",
    "100%",
    "%",
    "a%2Fb",
    "a%252Fb",
    "%2e%2e",
    "with space",
    " leading-and-trailing ",
    "전화번호-아이디",
    "emoji-📞",
    "semi;colon",
    "a+b",
    "a&b=c",
    "back\\slash",
    "...",
    "./x",
    "line\nbreak",
    "nul\x00byte",
    "6f1c7a52-1b7e-4d1f-9a53-0c2e5f1d9e11",
]


def is_confined(request: RecordedRequest, action: str) -> bool:
    """The path is the prefix, exactly one segment, then the action (if any)."""
    if not request.path.startswith(PREFIX):
        return False
    rest = request.path[len(PREFIX):]
    if action:
        if not rest.endswith("/" + action):
            return False
        rest = rest[: -len(action) - 1]
    return bool(rest) and "/" not in rest and "?" not in rest and "#" not in rest


# -- bad ids: refused before any request ------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(("bad_id", "error"), BAD_IDS)
async def test_async_bad_id_never_reaches_the_server(
    server: FakeVoxServer, avox: AsyncVox, bad_id: object, error: type[Exception]
) -> None:
    numbers = avox.organization_telephone_numbers
    with pytest.raises(error, match="organization_telephone_number_id"):
        await numbers.revoke_cancel(bad_id)  # type: ignore[arg-type]
    with pytest.raises(error, match="organization_telephone_number_id"):
        await numbers.retrieve(bad_id)  # type: ignore[arg-type]
    with pytest.raises(error, match="organization_telephone_number_id"):
        await numbers.delete(bad_id)  # type: ignore[arg-type]
    assert server.requests == []


@pytest.mark.parametrize(("bad_id", "error"), BAD_IDS)
def test_sync_bad_id_never_reaches_the_server(
    server: FakeVoxServer, vox: Vox, bad_id: object, error: type[Exception]
) -> None:
    numbers = vox.organization_telephone_numbers
    with pytest.raises(error, match="organization_telephone_number_id"):
        numbers.revoke_cancel(bad_id)  # type: ignore[arg-type]
    with pytest.raises(error, match="organization_telephone_number_id"):
        numbers.retrieve(bad_id)  # type: ignore[arg-type]
    with pytest.raises(error, match="organization_telephone_number_id"):
        numbers.delete(bad_id)  # type: ignore[arg-type]
    assert server.requests == []


def test_bad_ids_in_a_batch_fail_alone_and_never_reach_the_server(
    server: FakeVoxServer, vox: Vox
) -> None:
    (good,) = server.seed_pending(1)
    bad = [bad_id for bad_id, _ in BAD_IDS]
    results = vox.organization_telephone_numbers.revoke_cancel_many(
        [*bad, good]  # type: ignore[list-item]
    )
    for (_, error), result in zip(BAD_IDS, results, strict=False):
        assert type(result) is error
    assert results[-1].id == good  # type: ignore[union-attr]
    assert [r.number_id for r in server.requests] == [good]


def test_a_single_string_is_not_a_batch(server: FakeVoxServer, vox: Vox) -> None:
    with pytest.raises(TypeError, match="iterable"):
        vox.organization_telephone_numbers.revoke_cancel_many("abc")
    assert server.requests == []


# -- tricky ids: exactly that id, one confined segment ----------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("number_id", TRICKY_IDS)
async def test_async_tricky_id_reaches_the_server_as_exactly_that_id(
    server: FakeVoxServer, avox: AsyncVox, number_id: str
) -> None:
    server.add_number(id=number_id, status="cancel_requested")
    numbers = avox.organization_telephone_numbers
    restored = await numbers.revoke_cancel(number_id)
    fetched = await numbers.retrieve(number_id)
    ended = await numbers.delete(number_id)
    assert restored.id == fetched.id == ended.id == number_id
    revoke, get, delete = server.requests
    assert [r.number_id for r in server.requests] == [number_id] * 3
    assert [r.status for r in server.requests] == [200] * 3
    assert revoke.action == "revoke-cancel"
    assert is_confined(revoke, "revoke-cancel")
    assert get.action == delete.action == ""
    assert is_confined(get, "")
    assert is_confined(delete, "")
    assert all(r.query == () for r in server.requests)


@pytest.mark.parametrize("number_id", TRICKY_IDS)
def test_sync_tricky_id_reaches_the_server_as_exactly_that_id(
    server: FakeVoxServer, vox: Vox, number_id: str
) -> None:
    server.add_number(id=number_id, status="cancel_requested")
    restored = vox.organization_telephone_numbers.revoke_cancel(number_id)
    assert restored.id == number_id
    (request,) = server.requests
    assert request.number_id == number_id
    assert is_confined(request, "revoke-cancel")


def test_an_encoded_looking_id_is_encoded_again(server: FakeVoxServer, vox: Vox) -> None:
    with pytest.raises(NotFoundError):
        vox.organization_telephone_numbers.revoke_cancel("a%2Fb")
    (request,) = server.requests
    assert request.path == PREFIX + "a%252Fb/revoke-cancel"
    assert request.number_id == "a%2Fb"


def test_number_path_is_one_encoded_segment() -> None:
    assert number_path("abc") == "/v3/organization-telephone-numbers/abc"
    assert number_path("abc", "revoke-cancel") == PREFIX + "abc/revoke-cancel"
    assert number_path("a/b?c#d e%") == PREFIX + "a%2Fb%3Fc%23d%20e%25"
    assert number_path("..a") == PREFIX + "..a"


# -- property: any accepted id reaches the server as exactly that id --------------------------


def accepted(value: str) -> bool:
    return bool(value.strip()) and value not in (".", "..")


@pytest.fixture(scope="module")
def module_server() -> Iterator[FakeVoxServer]:
    with FakeVoxServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def module_vox(module_server: FakeVoxServer) -> Iterator[Vox]:
    with Vox(module_server.api_key, base_url=module_server.url, max_retries=0) as client:
        yield client


@settings(max_examples=75, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(number_id=st.text(min_size=1, max_size=40).filter(accepted))
def test_any_accepted_id_reaches_the_server_as_exactly_that_id(
    module_server: FakeVoxServer, module_vox: Vox, number_id: str
) -> None:
    module_server.clear_requests()
    with pytest.raises(NotFoundError):  # unknown to the server: but it saw exactly that id
        module_vox.organization_telephone_numbers.revoke_cancel(number_id)
    (request,) = module_server.requests
    assert request.number_id == number_id
    assert request.action == "revoke-cancel"
    assert is_confined(request, "revoke-cancel")


@settings(max_examples=75, deadline=None)
@given(number_id=st.text(min_size=1, max_size=40).filter(accepted))
def test_any_accepted_id_round_trips_through_the_whole_client(
    module_server: FakeVoxServer, module_vox: Vox, number_id: str
) -> None:
    if number_id not in {n["id"] for n in module_server.numbers}:
        module_server.add_number(id=number_id, status="cancel_requested")
    module_server.clear_requests()
    assert module_vox.organization_telephone_numbers.retrieve(number_id).id == number_id
    (request,) = module_server.requests
    assert request.number_id == number_id
    assert is_confined(request, "")


@settings(max_examples=200)
@given(number_id=st.text(max_size=20))
def test_every_id_is_either_refused_or_one_segment(number_id: str) -> None:
    if not accepted(number_id):
        with pytest.raises(ValueError, match="organization_telephone_number_id"):
            number_path(number_id)
        return
    path = number_path(number_id, "revoke-cancel")
    segment = path.removeprefix(PREFIX).removesuffix("/revoke-cancel")
    assert "/" not in segment
    assert segment not in (".", "..")
    assert all(c.isascii() and c.isprintable() and c not in "?# " for c in segment)

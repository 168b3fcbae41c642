"""The ``X-Vox-Client`` header: its rules (a pure function), and what both clients send."""

from __future__ import annotations

import pytest

from voxasync import AsyncVox, Vox, __version__
from voxasync._client_header import MAX_BYTES, client_header
from voxasync.testing import FakeVoxServer

SDK = f"voxasync/{__version__}"


def test_layers_are_joined_outermost_first() -> None:
    assert client_header(["myapp/1.2", "voxasync/0.1.0"]) == "myapp/1.2 voxasync/0.1.0"
    assert client_header(["voxasync/0.1.0"]) == "voxasync/0.1.0"


@pytest.mark.parametrize(
    "layer",
    [
        "", "myapp", "/1.0", "myapp/", "MyApp/1.0", "my_app/1.0", "my app/1.0", "a/b/c",
        "myapp/1.0 ", "myapp/1,0", "myapp/1.0_beta", "é/1.0", "x" * 33 + "/1", "a/" + "1" * 33,
        "myapp/1.0\r\nX-Evil: 1",
    ],
)
def test_a_malformed_layer_is_dropped_silently(layer: str) -> None:
    assert client_header([layer, "voxasync/0.1.0"]) == "voxasync/0.1.0"


def test_well_formed_edge_layers_are_kept() -> None:
    layers = ["a/1", "x" * 32 + "/" + "V" * 32, "my-app-2/1.0.0-rc.1+build.5"]
    assert client_header(layers) == " ".join(layers)


def test_more_than_8_layers_drop_the_outermost() -> None:
    layers = [f"layer{i}/1" for i in range(10)]
    assert client_header(layers) == " ".join(layers[2:])


def layer_of(size: int, name: str) -> str:
    """A valid layer of exactly ``size`` bytes (34..65)."""
    return name * 32 + "/" + "1" * (size - 33)


def test_256_bytes_fit_and_257_drop_the_outermost() -> None:
    fits = [layer_of(65, "a"), layer_of(65, "b"), layer_of(65, "c"), layer_of(58, "d")]
    assert len(" ".join(fits)) == MAX_BYTES
    assert client_header(fits) == " ".join(fits)
    over = [*fits[:3], layer_of(59, "d")]
    assert client_header(over) == " ".join(over[1:])


def test_overflow_drops_as_many_outermost_layers_as_needed() -> None:
    layers = [layer_of(65, name) for name in "abcdefg"] + ["voxasync/0.1.0"]
    header = client_header(layers)
    assert header == " ".join(layers[-4:])  # 3 * 66 + 14 = 212 bytes; one more is 278
    assert len(header.encode()) <= MAX_BYTES


def test_no_layer_means_no_header() -> None:
    assert client_header([]) is None
    assert client_header(["bad layer", "UPPER/1"]) is None


# -- what the clients send -------------------------------------------------------------------


def sent_header(server: FakeVoxServer) -> list[str | None]:
    return [
        {k.lower(): v for k, v in request.headers.items()}.get("x-vox-client")
        for request in server.requests
    ]


@pytest.mark.anyio
async def test_async_vox_sends_its_layer(server: FakeVoxServer, avox: AsyncVox) -> None:
    number_id = server.add_number()["id"]
    await avox.organization_telephone_numbers.retrieve(number_id)
    await avox.with_options(max_retries=0).organization_telephone_numbers.retrieve(number_id)
    assert sent_header(server) == [SDK, SDK]


@pytest.mark.anyio
async def test_async_vox_sends_the_applications_layer_first(server: FakeVoxServer) -> None:
    number_id = server.add_number()["id"]
    async with AsyncVox(
        server.api_key, base_url=server.url, app_info="acme-cli/2.0 acme/1.2.3"
    ) as avox:
        await avox.organization_telephone_numbers.retrieve(number_id)
    assert sent_header(server) == [f"acme-cli/2.0 acme/1.2.3 {SDK}"]


def test_vox_sends_the_same_header(server: FakeVoxServer) -> None:
    number_id = server.add_number()["id"]
    with Vox(server.api_key, base_url=server.url, app_info="myapp/1.2") as vox:
        vox.organization_telephone_numbers.retrieve(number_id)
        vox.organization_telephone_numbers.with_raw_response.retrieve(number_id)
    assert sent_header(server) == [f"myapp/1.2 {SDK}"] * 2


@pytest.mark.parametrize("app_info", ["MyApp/1.2", "myapp", "myapp/1.2 oops", "", "   "])
def test_a_malformed_app_info_is_refused_up_front(app_info: str) -> None:
    with pytest.raises(ValueError, match="app_info"):
        AsyncVox("key", app_info=app_info)
    with pytest.raises(ValueError, match="app_info"):
        Vox("key", app_info=app_info)


def test_app_info_must_be_a_string() -> None:
    with pytest.raises(TypeError, match="app_info"):
        AsyncVox("key", app_info=b"myapp/1.2")  # type: ignore[arg-type]

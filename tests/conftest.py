"""Shared fixtures: a real fake-vox server on loopback per test, and clients pointed at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from voxasync import AsyncVox, Vox
from voxasync.testing import FakeVoxServer, instant_retries


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def server() -> Iterator[FakeVoxServer]:
    """A fresh server per test: no state or faults leak between tests."""
    with FakeVoxServer() as fake:
        yield fake


@pytest.fixture
def no_wait() -> Iterator[None]:
    """Retries wait no real time within the test."""
    with instant_retries():
        yield


@pytest.fixture
async def avox(server: FakeVoxServer) -> AsyncIterator[AsyncVox]:
    async with AsyncVox(server.api_key, base_url=server.url) as client:
        yield client


@pytest.fixture
def vox(server: FakeVoxServer) -> Iterator[Vox]:
    with Vox(server.api_key, base_url=server.url) as client:
        yield client


@pytest.fixture
def no_key_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No VOX_* variable leaks in from the machine running the tests (the CLI files use it
    for every test: ``pytestmark = pytest.mark.usefixtures("no_key_in_env")``)."""
    for name in ("VOX_API_KEY", "VOX_BASE_URL", "VOX_LOG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def real(server: FakeVoxServer, monkeypatch: pytest.MonkeyPatch) -> FakeVoxServer:
    """The test's own fake server, used as "the real API": key in $VOX_API_KEY."""
    monkeypatch.setenv("VOX_API_KEY", server.api_key)
    monkeypatch.setenv("VOX_BASE_URL", server.url)
    return server

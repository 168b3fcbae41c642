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

"""Which event loop the sync client's own thread runs: uvloop when it is installed (the
``speedups`` extra), asyncio's otherwise; the same behaviour either way. The caller's loop
is never changed."""

from __future__ import annotations

import asyncio
import textwrap

import pytest

from voxasync import Vox
from voxasync.testing import FakeVoxServer

from helpers import run_python

uvloop = pytest.importorskip("uvloop")


def loop_of(vox: Vox, number_id: str) -> type:
    """The class of the loop a Vox runs its calls on, seen from inside a call."""
    seen: list[type] = []
    vox.organization_telephone_numbers.revoke_cancel_many(
        [number_id], on_result=lambda *_: seen.append(type(asyncio.get_running_loop()))
    )
    return seen[0]


def test_the_sync_clients_own_loop_is_uvloop_when_installed(server: FakeVoxServer) -> None:
    with Vox(server.api_key, base_url=server.url) as vox:
        assert loop_of(vox, server.seed_pending(1)[0]) is uvloop.Loop


@pytest.mark.anyio
async def test_the_callers_loop_is_never_changed(server: FakeVoxServer) -> None:
    caller = type(asyncio.get_running_loop())
    with Vox(server.api_key, base_url=server.url) as vox:
        assert loop_of(vox, server.seed_pending(1)[0]) is uvloop.Loop
    assert type(asyncio.get_running_loop()) is caller


def test_without_uvloop_the_sync_client_runs_on_asyncio(server: FakeVoxServer) -> None:
    """The same calls with uvloop made unimportable: asyncio's own loop, same results."""
    script = textwrap.dedent(
        f"""
        import asyncio, sys
        sys.modules["uvloop"] = None  # as if the speedups extra were not installed
        from voxasync import Vox
        with Vox({server.api_key!r}, base_url={server.url!r}) as vox:
            numbers = vox.organization_telephone_numbers
            pending = [n.id for n in numbers.list(status="cancel_requested")]
            loops = []
            results = numbers.revoke_cancel_many(
                (i for i in pending),
                on_result=lambda *_: loops.append(type(asyncio.get_running_loop()).__module__),
            )
            print(sorted(set(loops)), sorted({{str(r.status) for r in results}}), len(results))
        """
    )
    server.seed_pending(3)
    completed = run_python("-c", script)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.split() == ["['asyncio.unix_events']", "['active']", "3"]

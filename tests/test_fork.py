"""A client made before ``os.fork()`` works in the child, and the parent's is unaffected.

Each scenario runs in a subprocess with a time limit, so that a hang fails the test instead
of the suite; forking pytest itself (with its threads) would be unsafe.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

PRELUDE = """
import asyncio, multiprocessing, os, sys
from voxasync import AsyncVox, Vox, VoxError
from voxasync.testing import FakeVoxServer

server = FakeVoxServer().start()
number_id = server.add_number(status="cancel_requested")["id"]

def wait_child(pid):
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0, status
"""


def run(script: str, timeout: float = 30) -> str:
    code = PRELUDE + textwrap.dedent(script) + "\nserver.stop()\nprint('done')\n"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": root, "PYTHONWARNINGS": "error"}
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("done"), result.stdout
    return result.stdout


def test_a_sync_client_made_before_fork_works_in_the_child_and_the_parent() -> None:
    out = run("""
        vox = Vox(server.api_key, base_url=server.url)
        numbers = vox.organization_telephone_numbers
        assert numbers.retrieve(number_id).id == number_id
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                assert numbers.revoke_cancel(number_id).status == "active"
                assert numbers.retrieve(number_id).status == "active"
                vox.close()
                print("child ok", flush=True)
                code = 0
            finally:
                os._exit(code)
        wait_child(pid)
        assert numbers.retrieve(number_id).status == "active"  # the parent's pool still works
        vox.close()
        print("parent ok")
    """)
    assert "child ok" in out and "parent ok" in out


def test_close_in_a_child_that_never_called() -> None:
    run("""
        vox = Vox(server.api_key, base_url=server.url)
        vox.organization_telephone_numbers.retrieve(number_id)
        pid = os.fork()
        if pid == 0:
            try:
                vox.close()
            finally:
                os._exit(0)
        wait_child(pid)
        vox.organization_telephone_numbers.retrieve(number_id)
        vox.close()
    """)


def test_multiprocessing_fork_workers_share_a_preloaded_client() -> None:
    out = run("""
        vox = Vox(server.api_key, base_url=server.url)
        vox.organization_telephone_numbers.retrieve(number_id)  # the parent's pool is warm

        def work(_):
            return vox.organization_telephone_numbers.retrieve(number_id).id

        with multiprocessing.get_context("fork").Pool(3) as pool:
            assert pool.map(work, range(12)) == [number_id] * 12
        assert vox.organization_telephone_numbers.retrieve(number_id).id == number_id
        vox.close()
        print("pool ok")
    """, timeout=60)
    assert "pool ok" in out


def test_an_async_client_made_before_fork_works_on_the_childs_own_loop() -> None:
    run("""
        async def use(vox):
            return (await vox.organization_telephone_numbers.retrieve(number_id)).id

        loop = asyncio.new_event_loop()
        vox = AsyncVox(server.api_key, base_url=server.url)
        assert loop.run_until_complete(use(vox)) == number_id
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                async def child():
                    assert await use(vox) == number_id
                    await vox.aclose()
                asyncio.run(child())
                code = 0
            finally:
                os._exit(code)
        wait_child(pid)
        assert loop.run_until_complete(use(vox)) == number_id
        loop.run_until_complete(vox.aclose())
        loop.close()
    """)


def test_a_users_session_in_a_child_is_a_clear_error() -> None:
    run("""
        import aiohttp

        async def main():
            async with aiohttp.ClientSession() as session:
                vox = AsyncVox(server.api_key, base_url=server.url, session=session)
                await vox.organization_telephone_numbers.retrieve(number_id)
                pid = os.fork()
                if pid == 0:
                    code = 1
                    try:
                        async def child():
                            try:
                                await vox.organization_telephone_numbers.retrieve(number_id)
                            except VoxError as error:
                                assert "os.fork()" in str(error), error
                                return 0
                            return 1
                        code = asyncio.new_event_loop().run_until_complete(child())
                    finally:
                        os._exit(code)
                wait_child(pid)
                await vox.organization_telephone_numbers.retrieve(number_id)
                await vox.aclose()

        asyncio.run(main())
    """)

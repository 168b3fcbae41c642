"""Every example runs, against the sandbox or a FakeVoxServer of the test, with no key."""

from __future__ import annotations

import importlib.util
import json
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Iterator
from types import ModuleType
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from voxasync import AsyncVox
from voxasync.testing import FakeVoxServer, Fault

from helpers import REPO, clean_env, run_python

EXAMPLES = REPO / "examples"


def run_example(
    name: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_python(str(EXAMPLES / name), *args, env=env)


# -- the one-number scripts --------------------------------------------------------------


@pytest.mark.parametrize("script", ["revoke_cancel_async.py", "revoke_cancel_sync.py"])
def test_single_revoke_without_a_key_says_so_and_uses_the_sandbox(script: str) -> None:
    result = run_example(script)
    assert result.returncode == 0, result.stderr
    assert "VOX_API_KEY is not set" in result.stderr
    assert re.fullmatch(r"0\d{10} \(\S+\) is active; end_at is now None\n", result.stdout)


@pytest.mark.parametrize("script", ["revoke_cancel_async.py", "revoke_cancel_sync.py"])
def test_single_revoke_sandbox_flag_uses_the_given_id(script: str) -> None:
    result = run_example(script, "--sandbox", "my-number-id")
    assert result.returncode == 0, result.stderr
    assert "(my-number-id) is active" in result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("script", ["revoke_cancel_async.py", "revoke_cancel_sync.py"])
def test_single_revoke_against_an_api(script: str, server: FakeVoxServer) -> None:
    (number_id,) = server.seed_pending(1)
    env = clean_env(VOX_API_KEY=server.api_key, VOX_BASE_URL=server.url)
    result = run_example(script, number_id, env=env)
    assert result.returncode == 0, result.stderr
    assert server.number(number_id)["status"] == "active"

    again = run_example(script, number_id, env=env)  # no longer pending: a clean failure
    assert again.returncode == 1
    assert f"could not restore {number_id}" in again.stderr and "409" in again.stderr
    assert "Traceback" not in again.stderr


# -- batch_gather.py ---------------------------------------------------------------------


def test_batch_gather_sandbox_shows_both_ways_and_their_failures() -> None:
    result = run_example("batch_gather.py", "--sandbox")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    gather, many = out.split("\n\n")
    assert gather.startswith("asyncio.gather(..., return_exceptions=True):")
    assert many.startswith("revoke_cancel_many(")
    for part in (gather, many):
        lines = part.splitlines()
        assert [line.split()[0] for line in lines[1:7]] == ["ok"] * 4 + ["failed"] * 2
        assert "NotFoundError" in lines[5] and "no-such-number" in lines[5]
        assert "ConflictError" in lines[6]
        assert lines[7].strip() == "4 restored, 2 failed"


@pytest.mark.parametrize("how", [[], ["--gather"]])
def test_batch_gather_against_an_api(server: FakeVoxServer, how: list[str]) -> None:
    ids = server.seed_pending(3)
    env = clean_env(VOX_API_KEY=server.api_key, VOX_BASE_URL=server.url)
    result = run_example("batch_gather.py", *how, *ids, "missing-id", env=env)
    assert result.returncode == 1  # one id failed
    assert all(server.number(i)["status"] == "active" for i in ids)
    assert "3 restored, 1 failed" in result.stdout
    title = "asyncio.gather" if how else "revoke_cancel_many"
    assert result.stdout.startswith(title)


# -- async_service.py --------------------------------------------------------------------


def load_example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name.removesuffix('.py')}",
                                                  EXAMPLES / name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def service_module() -> ModuleType:
    return load_example("async_service.py")


@pytest.fixture
async def service(
    server: FakeVoxServer, service_module: ModuleType
) -> AsyncIterator[tuple[web.Application, str]]:
    app = service_module.create_app(api_key=server.api_key, base_url=server.url)
    test_server = TestServer(app, host="127.0.0.1", port=0)
    await test_server.start_server()
    try:
        yield app, str(test_server.make_url("")).rstrip("/")
    finally:
        await test_server.close()


@pytest.mark.anyio
async def test_service_restores_and_maps_errors(
    server: FakeVoxServer,
    service: tuple[web.Application, str],
    service_module: ModuleType,
) -> None:
    app, url = service
    first, second = server.seed_pending(2)
    custom = server.add_number(provider="custom", status="active")["id"]
    shared = app[service_module.VOX]
    assert isinstance(shared, AsyncVox)

    async with aiohttp.ClientSession() as http:

        async def restore(number_id: str) -> tuple[int, Any]:
            async with http.post(f"{url}/numbers/{number_id}/restore") as response:
                return response.status, await response.json()

        assert (await restore(first))[1]["status"] == "active"
        status, body = await restore(second)
        assert status == 200 and body["id"] == second and body["end_at"] is None
        assert server.number(second)["status"] == "active"

        status, body = await restore(first)  # already active
        assert status == 409
        assert body["error"]["code"] == "INVALID_STATUS"
        assert body["error"]["message"] == "해지 예약 상태의 번호가 아닙니다."

        status, body = await restore("no-such-number")
        assert (status, body["error"]["code"]) == (404, "NOT_FOUND")

        status, body = await restore(custom)
        assert (status, body["error"]["code"]) == (422, "VALIDATION_ERROR")

    # one client for the app's whole life, shared by every request
    assert app[service_module.VOX] is shared
    assert all(r.authorized for r in server.requests)


@pytest.mark.anyio
async def test_service_answers_502_when_vox_fails(
    server: FakeVoxServer, service: tuple[web.Application, str], no_wait: None
) -> None:
    _, url = service
    (number_id,) = server.seed_pending(1)
    server.inject(Fault.status(503, body="html"), times=3)
    async with aiohttp.ClientSession() as http, http.post(
        f"{url}/numbers/{number_id}/restore"
    ) as response:
        assert response.status == 502
        assert (await response.json())["error"]["code"] == "UPSTREAM_ERROR"
    assert len(server.requests) == 3  # the SDK retried before giving up


@pytest.mark.anyio
async def test_service_closes_its_client_when_the_app_stops(
    server: FakeVoxServer, service_module: ModuleType
) -> None:
    (number_id,) = server.seed_pending(1)
    app = service_module.create_app(api_key=server.api_key, base_url=server.url)
    test_server = TestServer(app, host="127.0.0.1", port=0)
    await test_server.start_server()
    try:
        async with aiohttp.ClientSession() as http, http.post(
            test_server.make_url(f"/numbers/{number_id}/restore")
        ) as response:
            assert response.status == 200
        vox = app[service_module.VOX]
        assert not vox.is_closed
    finally:
        await test_server.close()
    assert vox.is_closed


@pytest.fixture
def service_process() -> Iterator[tuple[subprocess.Popen[str], str, list[str]]]:
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, str(EXAMPLES / "async_service.py"), "--sandbox", "--port", "0"],
        env=clean_env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    try:
        assert process.stdout is not None
        pending: list[str] = []
        url = ""
        for line in process.stdout:  # the sandbox ids, then "listening on <url>"
            if line.startswith("  "):
                pending.append(line.strip())
            elif line.startswith("listening on "):
                url = line.split()[-1]
                break
        assert url, "the service never said where it listens"
        yield process, url, pending
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


@pytest.mark.skipif(sys.platform == "win32", reason="stops the service with SIGINT")
def test_service_script_serves_the_sandbox_and_stops_cleanly(
    service_process: tuple[subprocess.Popen[str], str, list[str]],
) -> None:
    process, url, pending = service_process
    assert len(pending) == 3
    restore_url = f"{url}/numbers/{pending[0]}/restore"
    assert restore_url.startswith("http://127.0.0.1:")
    request = urllib.request.Request(restore_url, method="POST")  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
        assert json.load(response)["status"] == "active"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 - loopback
    assert refused.value.code == 409
    refused.value.close()

    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "Unclosed" not in err


@pytest.mark.parametrize(
    "script",
    sorted(p.name for p in EXAMPLES.glob("*.py") if p.name != "async_service.py"),
)
def test_every_example_runs_without_a_key(script: str) -> None:
    """No VOX_API_KEY: each example falls back to the sandbox and succeeds.
    (async_service.py serves until stopped: test_service_script_serves_the_sandbox...)"""
    result = run_example(script, env=clean_env())
    assert result.returncode == 0, result.stderr

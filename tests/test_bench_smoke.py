"""The benchmark suite still runs: ``bench/run.py --quick`` end to end, on a tiny N.

Benchmarks are scripts, not timed tests (see BENCHMARKS.md): nothing here asserts a time or
a ratio, only that the script works and prints its table. httpx and requests are in the
``bench`` extra, not ``test``: without them the script skips those two comparisons, says so,
and still exits 0, which is checked here too.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import REPO, run_python

BENCH = REPO / "bench"

pytestmark = pytest.mark.skipif(not (BENCH / "run.py").exists(), reason="no bench/ in this tree")


def has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


@pytest.mark.timeout(300)
def test_quick_run_exits_0_and_prints_the_ratio_table(tmp_path: Path) -> None:
    results = tmp_path / "quick.json"
    done = run_python(
        str(BENCH / "run.py"), "--quick", "--quiet", "--json", str(results),
        cwd=tmp_path, timeout=280,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert "RATIO TABLE" in out
    for row in (
        "AsyncVox gather vs raw aiohttp gather",
        "AsyncVox sequential vs raw aiohttp sequential",
        "Vox.revoke_cancel_many(100) vs raw aiohttp gather",
        "AsyncVox revoke_cancel_many(64) vs raw aiohttp 64 workers",
        "Vox revoke_cancel_many(64) vs raw aiohttp 64 workers",
        "Vox revoke_cancel_many(64): generator vs list",
        "AsyncVox revoke_cancel_many(64) / box limit",
        "raw aiohttp 64 workers / box limit",
        "revoke_cancel_many peak memory",
        "AsyncVox revoke_cancel_iter peak heap, 400 ids",
        "Vox revoke_cancel_iter peak heap, 400 ids",
        "import voxasync vs aiohttp+attrs+cattrs+anyio",
        "anyio portal.call",
        "asyncio.run_coroutine_threadsafe().result()",
        "throughput (calls/s) against requests in flight",
        "event loops: this script's ",
        "TARGETS (benchmarks.md):",
    ):
        assert row in out, row
    for module, row in (
        ("httpx", "AsyncVox gather vs httpx gather"),
        ("requests", "Vox sequential vs requests.Session sequential"),
    ):
        if has(module):
            assert row in out
        else:
            assert f"{module} is not installed" in out

    report = json.loads(results.read_text())
    assert report["quick"] is True
    assert report["table"], "no comparison was run"
    for row in report["table"]:
        assert row["ratio"] > 0
        assert len(row["ours_rates"]) == len(row["theirs_rates"]) == report["rounds"]
        low, high = row["spread"]
        assert low <= row["ratio"] <= high
    assert report["memory"]["runs"][-1]["failed"] == 0
    for client in ("AsyncVox", "Vox"):
        streamed = report["memory_iter"][client]
        if streamed["available"]:  # revoke_cancel_iter exists: every outcome came, none failed
            assert (streamed["outcomes"], streamed["failed"]) == (400, 0)
    # Every target of benchmarks.md is a row with its mark (or n/a where the API is missing).
    marks = {row["label"]: row["result"] for row in report["targets"]}
    assert len(marks) == 9 - (not has("httpx")) - (not has("requests")), marks
    assert all(r in ("PASS", "FAIL") or r.startswith("n/a") for r in marks.values()), marks
    # --quick without --json writes nothing into the checkout; this run wrote only where told.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["quick.json"]


def recv_answers(sock: socket.socket, count: int, deadline: float) -> bytes:
    data = b""
    while data.count(b"HTTP/1.1 ") < count or not data.endswith(b"}"):
        if time.monotonic() > deadline:
            raise AssertionError(f"only {data.count(b'HTTP/1.1 ')} of {count} answers: {data!r}")
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


@pytest.mark.timeout(60)
def test_canned_server_answers_pipelined_and_split_requests() -> None:
    server = subprocess.Popen(  # noqa: S603 - our own script, with sys.executable
        [sys.executable, str(BENCH / "server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline().split()[1])
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            post = b"POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
            chunked = (
                b"POST /b HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                b"3\r\nabc\r\n0\r\n\r\n"
            )
            wire = post + chunked + post
            for start in range(0, len(wire), 5):  # split at awkward places
                sock.sendall(wire[start : start + 5])
            answers = recv_answers(sock, 3, time.monotonic() + 10)
            assert answers.count(b"HTTP/1.1 200 OK") == 3
            bodies = [part.split(b"\r\n\r\n", 1)[1] for part in answers.split(b"HTTP/1.1 ")[1:]]
            assert all(json.loads(body)["status"] == "active" for body in bodies)

            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            last = recv_answers(sock, 1, time.monotonic() + 10)
            assert b"Connection: close" in last
            assert sock.recv(10) == b""  # and the server closed the connection
    finally:
        server.terminate()
        server.wait(timeout=10)
        assert server.stdout is not None
        server.stdout.close()


@pytest.mark.timeout(300)
def test_quick_ablation_runs() -> None:
    """``bench/ablation.py`` switches private internals off: this catches it going stale."""
    done = run_python(str(BENCH / "ablation.py"), "--quick", timeout=280)
    assert done.returncode == 0, done.stdout + done.stderr
    for line in ("all on (now)", "all off (before)", "AsyncVox before / raw aiohttp", "Vox now"):
        assert line in done.stdout, line


def test_latency_script_runs() -> None:
    done = run_python(str(BENCH / "latency.py"), "--calls", "20", timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "AsyncVox (await)" in done.stdout
    assert "Vox (sync)" in done.stdout


def test_box_limit_client_reads_answers_split_anywhere_and_joined() -> None:
    """The box-limit client frames answers by Content-Length, however the bytes arrive."""
    sys.path.insert(0, str(BENCH))
    try:
        from peers import BadResponse, BoxConnection, BoxLimit, response_body_length
        from server import RESPONSE
    finally:
        sys.path.remove(str(BENCH))

    class Transport:
        def __init__(self) -> None:
            self.written: list[bytes] = []

        def write(self, data: bytes) -> None:
            self.written.append(data)

    pool = BoxLimit("http://127.0.0.1:1", 1)
    pool.pending = iter([b"req"] * 10)
    connection = BoxConnection(pool)
    connection.transport = Transport()  # type: ignore[assignment]
    wire = RESPONSE * 3
    for start in range(0, len(wire), 7):  # three answers, split at awkward places
        connection.data_received(wire[start : start + 7])
    connection.data_received(RESPONSE * 2)  # two answers in one read
    assert pool.answered == 5
    assert connection.transport.written == [b"req"] * 5  # type: ignore[union-attr]

    head = RESPONSE.split(b"\r\n\r\n", 1)[0]
    assert response_body_length(head) == len(RESPONSE.split(b"\r\n\r\n", 1)[1])
    assert response_body_length(head.replace(b"Content-Length", b"content-LENGTH")) > 0
    for bad in (
        head.replace(b"200 OK", b"500 Oops"),
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json",
        head + b"\r\nConnection: close",
    ):
        with pytest.raises(BadResponse):
            response_body_length(bad)

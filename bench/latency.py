"""Latency of one revoke-cancel against the embedded fake server, async and sync.

    python bench/latency.py [--calls N]

The fake server (voxasync.testing) is a full aiohttp.web app with the API's state machine,
on its own thread in this process: slower than bench/server.py's canned answer, and the
figure a user sees in their own tests. Prints the median and 90th percentile of N calls
each, after a warm-up.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

from voxasync import AsyncVox, Vox
from voxasync.testing import FakeVoxServer


def summarize(label: str, seconds: list[float]) -> str:
    micros = sorted(s * 1e6 for s in seconds)
    p90 = micros[int(len(micros) * 0.9) - 1]
    return f"{label:<28} median {statistics.median(micros):8.0f} us   p90 {p90:8.0f} us"


async def async_calls(server: FakeVoxServer, ids: list[str]) -> list[float]:
    timings = []
    async with AsyncVox(server.api_key, base_url=server.url) as vox:
        numbers = vox.organization_telephone_numbers
        await numbers.retrieve(ids[0])  # warm-up: the connection and the imports
        for number_id in ids:
            started = time.perf_counter()
            await numbers.revoke_cancel(number_id)
            timings.append(time.perf_counter() - started)
    return timings


def sync_calls(server: FakeVoxServer, ids: list[str]) -> list[float]:
    timings = []
    with Vox(server.api_key, base_url=server.url) as vox:
        numbers = vox.organization_telephone_numbers
        numbers.retrieve(ids[0])
        for number_id in ids:
            started = time.perf_counter()
            numbers.revoke_cancel(number_id)
            timings.append(time.perf_counter() - started)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--calls", type=int, default=2000)
    calls = parser.parse_args().calls
    with FakeVoxServer() as server:
        async_timings = asyncio.run(async_calls(server, server.seed_pending(calls)))
        sync_timings = sync_calls(server, server.seed_pending(calls))
    print(f"{calls} revoke_cancel calls each, against voxasync.testing.FakeVoxServer")
    print(summarize("AsyncVox (await)", async_timings))
    print(summarize("Vox (sync)", sync_timings))


if __name__ == "__main__":
    main()

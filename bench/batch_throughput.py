"""Throughput and memory of ``revoke_cancel_many`` against the fake vox server.

- Throughput: a 2,000-id batch at concurrency 1, 8 and 64; the median ids/s of a few rounds,
  the concurrency levels taken in turn within each round so drift hits them all alike.
- Memory: one 100,000-id batch fed by a generator (the ids are never held in a list). Python
  heap peak by ``tracemalloc`` (its own run: tracing slows everything down), and the growth of
  the process's resident set in a run without tracing. The result list is kept, as a caller
  of ``revoke_cancel_many`` gets it, and reported on its own line: what the batch holds
  beyond it is what must not grow with the number of ids.

The server (``voxasync.testing.FakeVoxServer``) runs in a separate process, so that its work
neither shares the GIL with the client nor shows in the client's memory. Absolute figures
depend on the machine; compare them within one run. Usage::

    python bench/batch_throughput.py                 # the full run (a couple of minutes)
    python bench/batch_throughput.py --quick         # a smoke run on tiny numbers
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from voxasync import AsyncVox, OrganizationTelephoneNumber

MB = 1024 * 1024


# -- the server, in a process of its own -------------------------------------------------


def serve(conn: Connection) -> None:
    """Child process: run a FakeVoxServer and seed it on request."""
    from voxasync.testing import FakeVoxServer

    with FakeVoxServer() as server:
        conn.send((server.url, server.api_key))
        while True:
            command, *args = conn.recv()
            if command == "seed":
                prefix, count = args
                for i in range(count):
                    server.add_number(id=number_id(prefix, i), status="cancel_requested")
                conn.send(count)
            elif command == "forget":
                server.clear_requests()
                conn.send(None)
            elif command == "count":  # requests recorded since the last "forget"
                conn.send(len(server.requests))
            else:
                conn.send(None)
                return


def number_id(prefix: str, i: int) -> str:
    return f"{prefix}-{i:06d}"


def ids(prefix: str, count: int) -> Iterator[str]:
    """The ids of one seeded batch, made one at a time."""
    for i in range(count):
        yield number_id(prefix, i)


class ServerProcess:
    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=serve, args=(child,), daemon=True)
        self._process.start()
        self.url, self.api_key = self._conn.recv()

    def call(self, *command: Any) -> Any:
        self._conn.send(command)
        return self._conn.recv()

    def seed(self, prefix: str, count: int) -> None:
        self.call("seed", prefix, count)
        self.call("forget")  # the server keeps a log of every request: keep it small

    def stop(self) -> None:
        self.call("stop")
        self._process.join(timeout=10)


# -- measuring ---------------------------------------------------------------------------


def proc_status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss() -> bool:
    """Reset VmHWM (Linux: write 5 to clear_refs); False when that is not possible."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


async def run_batch(
    vox: AsyncVox, prefix: str, count: int, concurrency: int,
    on_result: Callable[[int, str, object], object] | None = None,
) -> list[Any]:
    results = await vox.organization_telephone_numbers.revoke_cancel_many(
        ids(prefix, count), concurrency=concurrency, on_result=on_result
    )
    failed = sum(not isinstance(r, OrganizationTelephoneNumber) for r in results)
    if len(results) != count or failed:
        raise SystemExit(f"batch {prefix}: {failed} of {len(results)} failed")
    return results


async def throughput(
    vox: AsyncVox, server: ServerProcess, levels: list[int], count: int, rounds: int
) -> dict[int, list[float]]:
    rates: dict[int, list[float]] = {level: [] for level in levels}
    for level in levels:  # warm up: connections, imports, first-call costs
        server.seed(f"warm-{level}", 100)
        await run_batch(vox, f"warm-{level}", 100, level)
    for round_number in range(rounds):
        order = levels if round_number % 2 == 0 else levels[::-1]
        for level in order:
            prefix = f"t{round_number}-c{level}"
            server.seed(prefix, count)
            gc.collect()
            started = time.perf_counter()
            await run_batch(vox, prefix, count, level)
            rates[level].append(count / (time.perf_counter() - started))
    return rates


async def memory(
    vox: AsyncVox, server: ServerProcess, count: int, concurrency: int
) -> dict[str, float]:
    figures: dict[str, float] = {}
    done = 0

    def progress(index: int, number_id: str, result: object) -> None:
        nonlocal done
        done += 1

    # 1. Resident set, no tracing.
    server.seed("rss", count)
    gc.collect()
    rss_before = proc_status_kb("VmRSS")
    peak_reset = reset_peak_rss()
    started = time.perf_counter()
    results = await run_batch(vox, "rss", count, concurrency, progress)
    figures["rss ids/s"] = count / (time.perf_counter() - started)
    rss_peak = proc_status_kb("VmHWM")
    rss_with_results = proc_status_kb("VmRSS")
    del results
    gc.collect()
    if rss_before is not None and rss_peak is not None and rss_with_results is not None:
        figures["rss peak growth"] = (rss_peak - rss_before) / 1024
        figures["rss growth, results kept"] = (rss_with_results - rss_before) / 1024
        figures["rss peak was reset"] = float(peak_reset)

    # 2. Python heap, traced; at a tenth of the size too, to tell fixed from per-id costs.
    for size, suffix in ((count, ""), (max(1, count // 10), " (tenth)")):
        server.seed(f"heap{suffix}", size)
        gc.collect()
        tracemalloc.start()
        baseline = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        results = await run_batch(vox, f"heap{suffix}", size, concurrency, progress)
        with_results, peak = tracemalloc.get_traced_memory()
        del results
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        figures["heap peak" + suffix] = (peak - baseline) / MB
        figures["heap results kept" + suffix] = (with_results - after) / MB
        figures["heap beyond results" + suffix] = (peak - with_results) / MB
    return figures


# -- report ------------------------------------------------------------------------------


def report(
    rates: dict[int, list[float]], count: int, mem: dict[str, float], mem_ids: int,
    concurrency: int,
) -> None:
    print()
    print(f"revoke_cancel_many, {count:,} ids, FakeVoxServer in its own process "
          f"(median of {len(next(iter(rates.values())))} rounds)")
    print(f"  {'concurrency':>11}  {'ids/s':>8}  {'min':>8}  {'max':>8}")
    for level, values in rates.items():
        print(f"  {level:>11}  {statistics.median(values):>8.0f}  {min(values):>8.0f}  "
              f"{max(values):>8.0f}")
    if not mem:
        return
    print()
    print(f"memory, {mem_ids:,} ids from a generator, concurrency {concurrency}")
    print(f"  {'measure':<40}  {'MB':>8}  {'MB/10k ids':>10}")
    rows = [
        ("python heap peak (tracemalloc)", "heap peak", mem_ids),
        ("  of which the result list (kept)", "heap results kept", mem_ids),
        ("  beyond the results (batch machinery)", "heap beyond results", mem_ids),
        (f"  beyond the results, {mem_ids // 10:,}-id batch", "heap beyond results (tenth)",
         max(1, mem_ids // 10)),
        ("RSS growth at peak", "rss peak growth", mem_ids),
        ("RSS growth after, results still held", "rss growth, results kept", mem_ids),
    ]
    for label, key, size in rows:
        if key in mem:
            print(f"  {label:<40}  {mem[key]:>8.1f}  {mem[key] * 10_000 / size:>10.2f}")
    if mem.get("rss peak was reset") == 0.0:
        print("  (VmHWM could not be reset: the RSS peak may predate the batch)")
    if "rss ids/s" in mem:
        print(f"  (the untraced {mem_ids:,}-id batch ran at {mem['rss ids/s']:.0f} ids/s)")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ids", type=int, default=2000, help="ids per throughput batch")
    parser.add_argument("--rounds", type=int, default=5, help="rounds per concurrency level")
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--memory-ids", type=int, default=100_000)
    parser.add_argument("--memory-concurrency", type=int, default=64)
    parser.add_argument("--skip-memory", action="store_true", help="throughput only")
    parser.add_argument("--quick", action="store_true", help="tiny numbers, for a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.ids, args.rounds, args.memory_ids = 100, 1, 1000

    print(f"python {platform.python_version()}, {platform.system()}, {os.cpu_count()} cpus")
    server = ServerProcess()
    try:
        async with AsyncVox(server.api_key, base_url=server.url) as vox:
            # Memory first, while the process is still small and its RSS peak is its own.
            mem: dict[str, float] = {}
            if not args.skip_memory:
                mem = await memory(vox, server, args.memory_ids, args.memory_concurrency)
            rates = await throughput(vox, server, args.levels, args.ids, args.rounds)
    finally:
        server.stop()
    report(rates, args.ids, mem, args.memory_ids, args.memory_concurrency)


if __name__ == "__main__":
    asyncio.run(main())

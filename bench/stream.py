"""Streaming batches: memory of ``revoke_cancel_iter`` vs ``revoke_cancel_many``, the sync
client's generator-vs-list throughput, and what a bad key costs.

- Heap: one batch of ``--memory-ids`` ids from a generator, Python heap peak by
  ``tracemalloc``; through ``revoke_cancel_iter`` with each outcome dropped as it comes, and
  through ``revoke_cancel_many`` (which keeps every result, as its caller gets them).
- Sync throughput: ``Vox.revoke_cancel_many`` on ``--ids`` ids given as a list and as a
  generator, in alternating rounds; the median ids/s of each and their ratio.
- Bad key: how many requests a batch of 1,000 ids sends with a key the server refuses.

The server (``FakeVoxServer``) runs in a process of its own, as in ``batch_throughput.py``.
Usage: ``python bench/stream.py`` (a few minutes), ``--quick`` for a smoke run.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from batch_throughput import MB, ServerProcess, ids

from voxasync import AsyncVox, Vox


async def heap_peaks(server: ServerProcess, count: int, concurrency: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    async with AsyncVox(server.api_key, base_url=server.url) as vox:
        numbers = vox.organization_telephone_numbers
        server.seed("warm", 200)
        await numbers.revoke_cancel_many(ids("warm", 200), concurrency=concurrency)
        for name in ("iter", "many"):
            server.seed(name, count)
            gc.collect()
            tracemalloc.start()
            baseline = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            failed = 0
            if name == "iter":
                async for outcome in numbers.revoke_cancel_iter(
                    ids(name, count), concurrency=concurrency
                ):
                    failed += not outcome.ok
            else:
                results = await numbers.revoke_cancel_many(
                    ids(name, count), concurrency=concurrency
                )
                failed = sum(isinstance(r, Exception) for r in results)
                del results
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            if failed:
                raise SystemExit(f"{name}: {failed} failed")
            figures[name] = (peak - baseline) / MB
    return figures


def sync_throughput(
    server: ServerProcess, count: int, rounds: int, concurrency: int
) -> dict[str, list[float]]:
    rates: dict[str, list[float]] = {"list": [], "generator": []}
    with Vox(server.api_key, base_url=server.url) as vox:
        numbers = vox.organization_telephone_numbers
        server.seed("swarm", 200)
        numbers.revoke_cancel_many(list(ids("swarm", 200)), concurrency=concurrency)
        for round_number in range(rounds):
            kinds = ["list", "generator"] if round_number % 2 == 0 else ["generator", "list"]
            for kind in kinds:
                prefix = f"s{round_number}-{kind}"
                server.seed(prefix, count)
                given = list(ids(prefix, count)) if kind == "list" else ids(prefix, count)
                gc.collect()
                started = time.perf_counter()
                results = numbers.revoke_cancel_many(given, concurrency=concurrency)
                rates[kind].append(count / (time.perf_counter() - started))
                if any(isinstance(r, Exception) for r in results):
                    raise SystemExit(f"{prefix}: failures")
    return rates


def bad_key_requests(server: ServerProcess, count: int, concurrency: int) -> tuple[int, int]:
    server.seed("badkey", count)
    server.call("forget")
    with Vox("not-the-key", base_url=server.url) as vox:
        outcomes = list(
            vox.organization_telephone_numbers.revoke_cancel_iter(
                ids("badkey", count), concurrency=concurrency
            )
        )
    return len(outcomes), server.call("count")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--memory-ids", type=int, default=100_000)
    parser.add_argument("--memory-concurrency", type=int, default=64)
    parser.add_argument("--ids", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.memory_ids, args.ids, args.rounds = 1000, 200, 2
    server = ServerProcess()
    try:
        peaks = asyncio.run(heap_peaks(server, args.memory_ids, args.memory_concurrency))
        rates = sync_throughput(server, args.ids, args.rounds, args.concurrency)
        sent_for, requests = bad_key_requests(server, 1000, args.concurrency)
    finally:
        server.stop()
    print(f"heap peak, {args.memory_ids:,} ids from a generator, concurrency "
          f"{args.memory_concurrency} (tracemalloc)")
    print(f"  revoke_cancel_iter, outcomes dropped  {peaks['iter']:8.1f} MB")
    print(f"  revoke_cancel_many, results kept      {peaks['many']:8.1f} MB")
    lists, gens = statistics.median(rates["list"]), statistics.median(rates["generator"])
    print(f"Vox.revoke_cancel_many, {args.ids:,} ids, concurrency {args.concurrency}, "
          f"median of {args.rounds} rounds")
    print(f"  list       {lists:8.0f} ids/s  (min {min(rates['list']):.0f}, "
          f"max {max(rates['list']):.0f})")
    print(f"  generator  {gens:8.0f} ids/s  (min {min(rates['generator']):.0f}, "
          f"max {max(rates['generator']):.0f})")
    print(f"  generator / list: {gens / lists:.2f}x")
    print(f"bad key: {sent_for:,} ids, concurrency {args.concurrency}: {requests} requests sent")


if __name__ == "__main__":
    main()

#!/usr/bin/env python
"""Memory of the batch calls, each measured in a fresh process (``bench/run.py`` drives it).

- ``many``: peak RSS growth (``VmHWM``, reset just before the call) of one
  ``Vox.revoke_cancel_many`` over ``n`` ids fed by a generator. It keeps every result, so it
  grows with ``n``; the report sets that against what the kept records alone cost.
- ``iter``: peak Python heap (``tracemalloc``) of ``revoke_cancel_iter`` over ``n`` ids fed by a
  generator, each outcome dropped as it comes: what streaming costs. ``AsyncVox`` and ``Vox``
  each; a client without ``revoke_cancel_iter`` reports ``available: false``.

    python bench/memory.py many 100000 --base-url http://127.0.0.1:8123
    python bench/memory.py iter 100000 --base-url http://127.0.0.1:8123 --concurrency 64

Each prints one JSON object on its last line.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
API_KEY = "bench-key"
NOT_AVAILABLE = "n/a (revoke_cancel_iter not available)"


def lazy_ids(n: int) -> Iterator[str]:
    """The ids as a generator: never a list, so only what the SDK holds is measured."""
    return (str(uuid.UUID(int=i + 1)) for i in range(n))


def _status_kb(field_name: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field_name} not in /proc/self/status")


def record_bytes() -> float:
    """What one kept result costs: a structured record with its decoded strings."""
    from server import BODY

    from voxasync._converter import decode_json, structure
    from voxasync.models import OrganizationTelephoneNumber

    tracemalloc.start()
    kept = [
        structure(decode_json(BODY), OrganizationTelephoneNumber, status_code=200, body=BODY)
        for _ in range(2000)
    ]
    size = tracemalloc.get_traced_memory()[0] / len(kept)
    tracemalloc.stop()
    del kept
    return size


def many_child(base_url: str, n: int, concurrency: int) -> dict[str, Any]:
    from voxasync import Vox

    per_record = record_bytes()
    with Vox(API_KEY, base_url=base_url, max_connections=max(concurrency, 1)) as vox:
        numbers = vox.organization_telephone_numbers
        numbers.revoke_cancel_many(list(lazy_ids(2 * concurrency)), concurrency=concurrency)
        gc.collect()
        try:  # reset the peak-RSS mark (Linux >= 4.0)
            with open("/proc/self/clear_refs", "w") as clear_refs:
                clear_refs.write("5")
            reset = True
        except OSError:
            reset = False
        before = _status_kb("VmRSS")
        started = time.perf_counter()
        results = numbers.revoke_cancel_many(lazy_ids(n), concurrency=concurrency)
        seconds = time.perf_counter() - started
        peak = _status_kb("VmHWM")
        failed = sum(isinstance(r, Exception) for r in results)
    return {
        "n": n,
        "concurrency": concurrency,
        "rss_before_kb": before,
        "peak_kb": peak,
        "growth_kb": max(peak - before, 0),
        "peak_reset": reset,
        "record_bytes": per_record,
        "failed": failed,
        "seconds": seconds,
    }


def _failed(outcome: object) -> bool:
    return isinstance(getattr(outcome, "result", outcome), BaseException)


class _HeapTrace:
    """The heap traced from creation (the client already warm) to :meth:`stop`."""

    def __init__(self) -> None:
        gc.collect()
        tracemalloc.start()
        self.started = time.perf_counter()

    def stop(self, count: int, failed: int) -> dict[str, Any]:
        seconds = time.perf_counter() - self.started
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return {
            "available": True,
            "outcomes": count,
            "failed": failed,
            "peak_mb": peak / 2**20,
            "left_mb": current / 2**20,
            "seconds": seconds,
        }


def iter_async(base_url: str, n: int, concurrency: int) -> dict[str, Any]:
    from voxasync import AsyncVox

    async def measure() -> dict[str, Any]:
        async with AsyncVox(API_KEY, base_url=base_url, max_connections=concurrency) as vox:
            numbers = vox.organization_telephone_numbers
            if not hasattr(numbers, "revoke_cancel_iter"):
                return {"available": False}

            async def drain(ids: Iterator[str]) -> tuple[int, int]:
                count = failed = 0
                async for outcome in numbers.revoke_cancel_iter(ids, concurrency=concurrency):
                    count += 1
                    failed += _failed(outcome)
                return count, failed

            await drain(lazy_ids(2 * concurrency))  # warm: connections, imports
            trace = _HeapTrace()
            count, failed = await drain(lazy_ids(n))
            return trace.stop(count, failed)

    return asyncio.run(measure())


def iter_sync(base_url: str, n: int, concurrency: int) -> dict[str, Any]:
    from voxasync import Vox

    with Vox(API_KEY, base_url=base_url, max_connections=concurrency) as vox:
        numbers = vox.organization_telephone_numbers
        if not hasattr(numbers, "revoke_cancel_iter"):
            return {"available": False}

        def drain(ids: Iterator[str]) -> tuple[int, int]:
            count = failed = 0
            for outcome in numbers.revoke_cancel_iter(ids, concurrency=concurrency):
                count += 1
                failed += _failed(outcome)
            return count, failed

        drain(lazy_ids(2 * concurrency))
        trace = _HeapTrace()
        count, failed = drain(lazy_ids(n))
        return trace.stop(count, failed)


def iter_child(base_url: str, n: int, concurrency: int) -> dict[str, Any]:
    return {
        "n": n,
        "concurrency": concurrency,
        "AsyncVox": iter_async(base_url, n, concurrency),
        "Vox": iter_sync(base_url, n, concurrency),
    }


# -- the parent's side -----------------------------------------------------------------------


def _child(kind: str, base_url: str, n: int, concurrency: int) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            kind,
            str(n),
            "--base-url",
            base_url,
            "--concurrency",
            str(concurrency),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"memory run ({kind}, {n} ids) failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure_many(base_url: str, sizes: Sequence[int], concurrency: int) -> dict[str, Any]:
    """RSS growth of ``revoke_cancel_many`` at two sizes, and the slope per 10,000 ids."""
    runs = [_child("many", base_url, n, concurrency) for n in sizes]
    small, large = runs[0], runs[-1]
    span = (large["n"] - small["n"]) / 10_000
    per_10k_mb = (large["growth_kb"] - small["growth_kb"]) / 1024 / span if span else float("nan")
    return {
        "runs": runs,
        "concurrency": concurrency,
        "mb_per_10k_ids": per_10k_mb,
        "record_mb_per_10k": large["record_bytes"] * 10_000 / 2**20,
        "peak_growth_mb": large["growth_kb"] / 1024,
        "n": large["n"],
    }


def measure_iter(base_url: str, n: int, concurrency: int) -> dict[str, Any]:
    """Peak heap of ``revoke_cancel_iter`` over ``n`` ids, outcomes dropped, both clients."""
    return _child("iter", base_url, n, concurrency)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("kind", choices=["many", "iter"])
    parser.add_argument("n", type=int, help="ids")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--concurrency", type=int, default=64)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(HERE))
    child = many_child if args.kind == "many" else iter_child
    print(json.dumps(child(args.base_url, args.n, args.concurrency)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Run every comparison of ``benchmarks.md`` in one go and print medians and ratios.

Each comparison pits the SDK against what a user would write instead, in the same run and
against the same canned server (``bench/server.py``, in a process of its own on 127.0.0.1),
so that only ratios matter: absolute rates are not comparable from run to run.

Method: every workload is warmed up once (imports, connections), then timed over ``--rounds``
rounds. In each round the two sides of every comparison run back to back, the first side
alternating from round to round, so drift in a noisy machine's speed hits both sides alike.
A comparison's ratio is the median over rounds of (ours / theirs) from those pairs; the
rates shown beside it are each side's median.

It benchmarks the ``voxasync`` that Python imports (the path is printed): install the
checkout (``pip install -e '.[bench]'`` while working on it) to measure your changes.

    pip install '.[bench]'
    python bench/run.py                 # the full run: N=5000 calls, 7 rounds, sweep, chart
    python bench/run.py --quick         # a smoke run on tiny N (what the test suite does)
    python bench/run.py --help

The full run writes ``bench/results/latest.json`` (and a timestamped copy) and redraws
``docs/throughput.png`` from it; ``--quick`` writes nothing unless ``--json`` is given.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import selectors
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

import voxasync
from voxasync import AsyncVox, Vox

try:
    import httpx
except ImportError:  # the `bench` extra is not installed
    httpx = None  # type: ignore[assignment]
try:
    import requests
except ImportError:
    requests = None  # type: ignore[assignment]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
API_KEY = "bench-key"
NUMBERS_PATH = "/v3/organization-telephone-numbers"
HEADERS = {"Authorization": f"Bearer {API_KEY}", "Accept": "application/json"}
MAX_IN_FLIGHT = 100  # the SDK's default pool, aiohttp's default limit, and the httpx bound
RESULTS_DIR = HERE / "results"
CHART_PATH = ROOT / "docs" / "throughput.png"

#: --quick times a few dozen calls: enough to prove the script works, not to judge a target.
QUICK_VERDICT = "(quick run: no verdict)"

IMPORT_SDK = "import voxasync"
IMPORT_DEPS = "import aiohttp, attrs, cattrs, anyio"
IMPORT_TIMER = "import time; t = time.perf_counter(); {stmt}; print(time.perf_counter() - t)"


# -- the server ------------------------------------------------------------------------------


@contextmanager
def canned_server(startup_timeout: float = 20.0) -> Iterator[str]:
    """Start ``bench/server.py`` in its own process; always terminate it on the way out."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "server.py"), "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(proc.stdout, selectors.EVENT_READ)
            if not selector.select(startup_timeout):
                raise RuntimeError("the benchmark server did not start in time")
        line = proc.stdout.readline()
        if not line.startswith("PORT "):
            raise RuntimeError(f"unexpected output from the benchmark server: {line!r}")
        yield f"http://127.0.0.1:{int(line.split()[1])}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


def number_ids(n: int) -> list[str]:
    return [str(uuid.UUID(int=i + 1)) for i in range(n)]


# -- measurements ----------------------------------------------------------------------------


@dataclass
class Measurement:
    """One timed workload: ``run()`` makes ``calls`` calls and returns the seconds it took."""

    key: str
    label: str
    calls: int
    run: Callable[[], float]
    warm: Callable[[], object]
    rates: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.rates) if self.rates else float("nan")


@dataclass
class Comparison:
    """Two measurements timed back to back in every round (which goes first alternates)."""

    label: str
    ours: str
    theirs: str
    target: float
    note: str = ""
    ours_rates: list[float] = field(default_factory=list)
    theirs_rates: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """Median over rounds of ours/theirs, each pair measured back to back."""
        pairs = zip(self.ours_rates, self.theirs_rates, strict=True)
        return statistics.median(a / b for a, b in pairs)


def run_rounds(measurements: Sequence[Measurement], rounds: int, *, verbose: bool) -> None:
    """Warm each measurement up once, then time ``rounds`` alternating rounds."""
    for m in measurements:
        m.warm()
    for number in range(rounds):
        order = list(measurements) if number % 2 == 0 else list(reversed(measurements))
        for m in order:
            gc.collect()
            seconds = m.run()
            m.rates.append(m.calls / seconds)
        if verbose:
            done = ", ".join(f"{m.key} {m.rates[-1]:,.0f}/s" for m in measurements)
            print(f"  round {number + 1}/{rounds}: {done}", flush=True)


def run_paired_rounds(
    measurements: Sequence[Measurement],
    comparisons: Sequence[Comparison],
    rounds: int,
    *,
    verbose: bool,
) -> None:
    """Warm each measurement up once; then, each round, time every comparison's two sides
    back to back, the first side alternating from round to round.

    On a noisy machine the speed drifts over seconds: a pair measured back to back sees
    nearly the same machine, so the per-round ratio is steadier than either rate.
    """
    by_key = {m.key: m for m in measurements}
    for m in measurements:
        m.warm()
    for number in range(rounds):
        for c in comparisons:
            sides = [(by_key[c.ours], c.ours_rates), (by_key[c.theirs], c.theirs_rates)]
            if number % 2:
                sides.reverse()
            for m, rates in sides:
                gc.collect()
                rate = m.calls / m.run()
                rates.append(rate)
                m.rates.append(rate)
        if verbose:
            done = ", ".join(
                f"{c.ours}/{c.theirs} {c.ours_rates[-1] / c.theirs_rates[-1]:.2f}"
                for c in comparisons
            )
            print(f"  round {number + 1}/{rounds}: {done}", flush=True)


class AsyncSide:
    """Clients that live on one event loop (an ``asyncio.Runner``) for the whole run."""

    def __init__(self, base_url: str, max_in_flight: int) -> None:
        self.base_url = base_url
        self.max_in_flight = max_in_flight
        self.runner = asyncio.Runner()
        self.vox: AsyncVox | None = None
        self.session: aiohttp.ClientSession | None = None
        self.httpx: Any = None

    def open(self) -> None:
        async def open_clients() -> None:
            self.vox = AsyncVox(API_KEY, base_url=self.base_url, max_connections=self.max_in_flight)
            self.session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_in_flight), headers=HEADERS
            )
            if httpx is not None:
                limit = self.max_in_flight
                self.httpx = httpx.AsyncClient(
                    headers=HEADERS,
                    limits=httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
                )

        self.runner.run(open_clients())

    def close(self) -> None:
        async def close_clients() -> None:
            if self.vox is not None:
                await self.vox.aclose()
            if self.session is not None:
                await self.session.close()
            if self.httpx is not None:
                await self.httpx.aclose()

        try:
            self.runner.run(close_clients())
        finally:
            self.runner.close()

    # One call each, the way a user would write it.

    async def sdk_call(self, number_id: str) -> object:
        assert self.vox is not None
        return await self.vox.organization_telephone_numbers.revoke_cancel(number_id)

    async def raw_call(self, number_id: str) -> object:
        assert self.session is not None
        url = f"{self.base_url}{NUMBERS_PATH}/{number_id}/revoke-cancel"
        async with self.session.post(url) as response:
            return await response.json()

    async def httpx_call(self, number_id: str) -> object:
        url = f"{self.base_url}{NUMBERS_PATH}/{number_id}/revoke-cancel"
        response = await self.httpx.post(url)
        return response.json()

    # Workload shapes.

    def timed(self, workload: Callable[[], Awaitable[object]]) -> Callable[[], float]:
        async def timed_run() -> float:
            started = time.perf_counter()
            await workload()
            return time.perf_counter() - started

        return lambda: self.runner.run(timed_run())

    def warm(self, workload: Callable[[], Awaitable[object]]) -> Callable[[], object]:
        return lambda: self.runner.run(_awaited(workload))


async def _awaited(workload: Callable[[], Awaitable[object]]) -> object:
    return await workload()


def gather_all(
    call: Callable[[str], Awaitable[object]], ids: Sequence[str]
) -> Callable[[], Awaitable[object]]:
    async def workload() -> None:
        results = await asyncio.gather(*[call(i) for i in ids])
        assert len(results) == len(ids)

    return workload


def gather_bounded(
    call: Callable[[str], Awaitable[object]], ids: Sequence[str], bound: int
) -> Callable[[], Awaitable[object]]:
    """``asyncio.gather`` with a semaphore: what httpx-based SDKs do to bound in-flight calls."""

    async def workload() -> None:
        slots = asyncio.Semaphore(bound)

        async def bounded(number_id: str) -> object:
            async with slots:
                return await call(number_id)

        results = await asyncio.gather(*[bounded(i) for i in ids])
        assert len(results) == len(ids)

    return workload


def sequential(
    call: Callable[[str], Awaitable[object]], ids: Sequence[str]
) -> Callable[[], Awaitable[object]]:
    async def workload() -> None:
        for number_id in ids:
            await call(number_id)

    return workload


def workers(
    call: Callable[[str], Awaitable[object]], ids: Sequence[str], in_flight: int
) -> Callable[[], Awaitable[object]]:
    """``in_flight`` tasks taking ids from one shared iterator: a fixed number in flight."""

    async def workload() -> None:
        remaining = iter(ids)

        async def worker() -> None:
            for number_id in remaining:
                await call(number_id)

        await asyncio.gather(*[worker() for _ in range(in_flight)])

    return workload


def timed_sync(workload: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        started = time.perf_counter()
        workload()
        return time.perf_counter() - started

    return run


# -- the main comparisons --------------------------------------------------------------------


def main_comparisons(
    base_url: str, n: int, rounds: int, warm_n: int, *, verbose: bool
) -> tuple[list[Measurement], list[Comparison], list[str]]:
    ids = number_ids(n)
    warm_ids = number_ids(warm_n)
    skipped: list[str] = []
    side = AsyncSide(base_url, MAX_IN_FLIGHT)
    side.open()
    vox = Vox(API_KEY, base_url=base_url, max_connections=MAX_IN_FLIGHT)
    req_session = None
    try:
        sdk, raw, hx = side.sdk_call, side.raw_call, side.httpx_call
        m: list[Measurement] = [
            Measurement(
                "sdk_gather",
                "AsyncVox gather",
                n,
                side.timed(gather_all(sdk, ids)),
                side.warm(gather_all(sdk, warm_ids)),
            ),
            Measurement(
                "raw_gather",
                "aiohttp gather + json()",
                n,
                side.timed(gather_all(raw, ids)),
                side.warm(gather_all(raw, warm_ids)),
            ),
            Measurement(
                "sdk_sequential",
                "AsyncVox sequential",
                n,
                side.timed(sequential(sdk, ids)),
                side.warm(sequential(sdk, warm_ids)),
            ),
            Measurement(
                "raw_sequential",
                "aiohttp sequential + json()",
                n,
                side.timed(sequential(raw, ids)),
                side.warm(sequential(raw, warm_ids)),
            ),
        ]
        numbers = vox.organization_telephone_numbers

        def sync_sequential(n_ids: Sequence[str]) -> Callable[[], object]:
            def workload() -> None:
                for number_id in n_ids:
                    numbers.revoke_cancel(number_id)

            return workload

        def batch(n_ids: Sequence[str], concurrency: int) -> Callable[[], object]:
            def workload() -> None:
                results = numbers.revoke_cancel_many(n_ids, concurrency=concurrency)
                failed = [r for r in results if isinstance(r, Exception)]
                if failed:
                    raise RuntimeError(f"{len(failed)} calls of the batch failed: {failed[0]!r}")

            return workload

        m += [
            Measurement(
                "vox_sequential",
                "Vox (sync) sequential",
                n,
                timed_sync(sync_sequential(ids)),
                sync_sequential(warm_ids),
            ),
            Measurement(
                "vox_batch",
                f"Vox.revoke_cancel_many(concurrency={MAX_IN_FLIGHT})",
                n,
                timed_sync(batch(ids, MAX_IN_FLIGHT)),
                batch(warm_ids, MAX_IN_FLIGHT),
            ),
            Measurement(
                "vox_batch_8",
                "Vox.revoke_cancel_many() (default concurrency=8)",
                n,
                timed_sync(batch(ids, 8)),
                batch(warm_ids, 8),
            ),
        ]
        if httpx is not None:
            m.append(
                Measurement(
                    "httpx_gather",
                    f"httpx.AsyncClient gather, {MAX_IN_FLIGHT} in flight",
                    n,
                    side.timed(gather_bounded(hx, ids, MAX_IN_FLIGHT)),
                    side.warm(gather_bounded(hx, warm_ids, MAX_IN_FLIGHT)),
                )
            )
        else:
            skipped.append(
                "AsyncVox gather vs httpx: httpx is not installed (pip install '.[bench]')"
            )
        if requests is not None:
            req_session = requests.Session()
            req_session.headers.update(HEADERS)
            session = req_session

            def requests_sequential(n_ids: Sequence[str]) -> Callable[[], object]:
                def workload() -> None:
                    for number_id in n_ids:
                        url = f"{base_url}{NUMBERS_PATH}/{number_id}/revoke-cancel"
                        session.post(url).json()

                return workload

            m.append(
                Measurement(
                    "requests_sequential",
                    "requests.Session sequential",
                    n,
                    timed_sync(requests_sequential(ids)),
                    requests_sequential(warm_ids),
                )
            )
        else:
            skipped.append(
                "Vox sequential vs requests: requests is not installed (pip install '.[bench]')"
            )
        comparisons = [
            Comparison("AsyncVox gather vs raw aiohttp gather", "sdk_gather", "raw_gather", 0.90),
            Comparison(
                "AsyncVox sequential vs raw aiohttp sequential",
                "sdk_sequential",
                "raw_sequential",
                0.90,
            ),
            Comparison(
                f"AsyncVox gather vs httpx gather ({MAX_IN_FLIGHT} in flight)",
                "sdk_gather",
                "httpx_gather",
                10.0,
            ),
            Comparison(
                "Vox sequential vs requests.Session sequential",
                "vox_sequential",
                "requests_sequential",
                1.5,
            ),
            Comparison(
                f"Vox.revoke_cancel_many({MAX_IN_FLIGHT}) vs raw aiohttp gather",
                "vox_batch",
                "raw_gather",
                0.85,
            ),
            Comparison(
                "Vox.revoke_cancel_many(8) vs raw aiohttp gather",
                "vox_batch_8",
                "raw_gather",
                0.0,
                note="info: the default concurrency",
            ),
        ]
        keys = {x.key for x in m}
        comparisons = [c for c in comparisons if c.ours in keys and c.theirs in keys]
        run_paired_rounds(m, comparisons, rounds, verbose=verbose)
    finally:
        try:
            vox.close()
            if req_session is not None:
                req_session.close()
        finally:
            side.close()

    return m, comparisons, skipped


# -- the sync facade's hop -------------------------------------------------------------------


async def _noop() -> None:
    return None


def portal_hops(n: int, rounds: int) -> dict[str, float]:
    """Microseconds per round trip of a no-op coroutine through each way onto a portal loop."""
    from anyio.from_thread import start_blocking_portal

    from voxasync._sync._portal import LoopThread

    results: dict[str, list[float]] = {}
    with start_blocking_portal("asyncio") as portal:
        loop = portal.call(asyncio.get_running_loop)
        sdk_portal = LoopThread()
        try:
            variants: dict[str, Callable[[], object]] = {
                "anyio portal.call": lambda: portal.call(_noop),
                "anyio portal.start_task_soon().result()": (
                    lambda: portal.start_task_soon(_noop).result()
                ),
                "asyncio.run_coroutine_threadsafe().result()": (
                    lambda: asyncio.run_coroutine_threadsafe(_noop(), loop).result()
                ),
                "voxasync LoopThread.call (what Vox uses)": lambda: sdk_portal.call(_noop),
            }
            for hop in variants.values():
                for _ in range(min(n, 100)):
                    hop()
            for number in range(rounds):
                items = list(variants.items())
                for name, hop in items if number % 2 == 0 else reversed(items):
                    started = time.perf_counter()
                    for _ in range(n):
                        hop()
                    results.setdefault(name, []).append((time.perf_counter() - started) / n * 1e6)
        finally:
            sdk_portal.stop()
    return {name: statistics.median(values) for name, values in results.items()}


# -- throughput against concurrency ----------------------------------------------------------


def sweep(
    base_url: str, levels: Sequence[int], n: int, rounds: int, *, verbose: bool
) -> dict[str, dict[str, float]]:
    """Calls per second at each number in flight, for AsyncVox, raw aiohttp and httpx.

    At each level every client gets a pool of that size and that many worker tasks.
    """
    ids = number_ids(n)
    warm_ids = number_ids(max(2 * max(levels), 50))
    table: dict[str, dict[str, float]] = {"AsyncVox": {}, "aiohttp": {}}
    if httpx is not None:
        table["httpx"] = {}
    for level in levels:
        side = AsyncSide(base_url, level)
        side.open()
        try:
            calls = {"AsyncVox": side.sdk_call, "aiohttp": side.raw_call}
            if httpx is not None:
                calls["httpx"] = side.httpx_call
            m = [
                Measurement(
                    name,
                    name,
                    n,
                    side.timed(workers(call, ids, level)),
                    side.warm(workers(call, warm_ids, level)),
                )
                for name, call in calls.items()
            ]
            run_rounds(m, rounds, verbose=False)
        finally:
            side.close()
        for x in m:
            table[x.key][str(level)] = x.median
        if verbose:
            print(
                f"  {level:>4} in flight: " + ", ".join(f"{x.key} {x.median:,.0f}/s" for x in m),
                flush=True,
            )
    return table


# -- memory of revoke_cancel_many ------------------------------------------------------------


def _status_kb(field_name: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"{field_name} not in /proc/self/status")


def memory_child(base_url: str, n: int, concurrency: int) -> None:
    """In a fresh process: peak RSS growth of one ``revoke_cancel_many`` over ``n`` lazy ids."""
    import tracemalloc

    from voxasync._converter import decode_json, structure
    from voxasync.models import OrganizationTelephoneNumber

    sys.path.insert(0, str(HERE))
    from server import BODY

    # What one result costs to keep: a structured record with its decoded strings.
    tracemalloc.start()
    kept = [
        structure(decode_json(BODY), OrganizationTelephoneNumber, status_code=200, body=BODY)
        for _ in range(2000)
    ]
    record_bytes = tracemalloc.get_traced_memory()[0] / len(kept)
    tracemalloc.stop()
    del kept

    with Vox(API_KEY, base_url=base_url, max_connections=max(concurrency, 1)) as vox:
        numbers = vox.organization_telephone_numbers
        numbers.revoke_cancel_many(number_ids(2 * concurrency), concurrency=concurrency)
        gc.collect()
        try:  # reset the peak-RSS mark (Linux >= 4.0)
            with open("/proc/self/clear_refs", "w") as clear_refs:
                clear_refs.write("5")
            reset = True
        except OSError:
            reset = False
        before = _status_kb("VmRSS")
        ids = (str(uuid.UUID(int=i + 1)) for i in range(n))  # lazy: the ids are never a list
        started = time.perf_counter()
        results = numbers.revoke_cancel_many(ids, concurrency=concurrency)
        seconds = time.perf_counter() - started
        peak = _status_kb("VmHWM")
        failed = sum(isinstance(r, Exception) for r in results)
    print(
        json.dumps(
            {
                "n": n,
                "concurrency": concurrency,
                "rss_before_kb": before,
                "peak_kb": peak,
                "growth_kb": max(peak - before, 0),
                "peak_reset": reset,
                "record_bytes": record_bytes,
                "failed": failed,
                "seconds": seconds,
            }
        )
    )


def measure_memory(base_url: str, sizes: Sequence[int], concurrency: int) -> dict[str, Any]:
    runs = []
    for n in sizes:
        out = subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--memory-child",
                str(n),
                "--base-url",
                base_url,
                "--concurrency",
                str(concurrency),
            ],
            capture_output=True,
            text=True,
            timeout=900,
            check=False,
        )
        if out.returncode != 0:
            raise RuntimeError(f"memory run failed:\n{out.stderr}")
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
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


# -- import time -----------------------------------------------------------------------------


def import_times(rounds: int) -> dict[str, float]:
    """Median seconds to import, each in a fresh interpreter, alternating."""
    samples: dict[str, list[float]] = {IMPORT_SDK: [], IMPORT_DEPS: []}

    def once(stmt: str) -> float:
        out = subprocess.run(
            [sys.executable, "-c", IMPORT_TIMER.format(stmt=stmt)],
            capture_output=True,
            text=True,
            cwd=HERE,  # not the checkout: time the voxasync that is installed
            timeout=120,
            check=True,
        )
        return float(out.stdout.strip())

    for stmt in samples:  # warm the bytecode caches
        once(stmt)
    for number in range(rounds):
        order = list(samples) if number % 2 == 0 else list(reversed(samples))
        for stmt in order:
            samples[stmt].append(once(stmt))
    return {stmt: statistics.median(values) for stmt, values in samples.items()}


# -- output ----------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = {"voxasync": voxasync.__version__, "aiohttp": aiohttp.__version__}
    for name in ("anyio", "attrs", "cattrs", "httpx", "requests", "orjson"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:
            versions[name] = "not installed"
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return {
        "nproc": nproc,
        "cpu": model,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "versions": versions,
        "voxasync_from": str(Path(voxasync.__file__).resolve().parent),
    }


def verdict(ratio: float, target: float, *, higher_is_better: bool = True) -> str:
    if target == 0:
        return "info"
    met = ratio >= target if higher_is_better else ratio <= target
    return "MET" if met else "BELOW"


def print_report(report: dict[str, Any]) -> None:
    info = report["machine"]
    v = info["versions"]
    print()
    print(
        f"machine: {info['nproc']} CPUs ({info['cpu']}), Python {info['python']}, "
        f"aiohttp {v['aiohttp']}, httpx {v['httpx']}, requests {v['requests']}, "
        f"orjson {v['orjson']}"
    )
    print(f"voxasync {v['voxasync']} from {info['voxasync_from']}")
    print(
        f"method: N={report['n']} calls per measurement, median of {report['rounds']} "
        "alternating rounds after a warm-up; server in its own process on 127.0.0.1"
    )
    print()
    print("medians (calls/s):")
    for m in report["measurements"].values():
        print(f"  {m['label']:<52} {m['median']:>10,.0f}/s")
    print()
    header = f"{'comparison':<56} {'ours/s':>9} {'theirs/s':>9} {'ratio':>8} {'target':>9}  result"
    print("RATIO TABLE (ratio: median over rounds of ours/theirs timed back to back)")
    print(header)
    print("-" * len(header))
    for row in report["table"]:
        target = "-" if not row["target"] else f">={row['target']:.2f}x"
        print(
            f"{row['label']:<56} {row['ours']:>9,.0f} {row['theirs']:>9,.0f} "
            f"{row['ratio']:>7.2f}x {target:>9}  {row['result']}"
        )
    memory = report.get("memory")
    if memory:
        print(
            f"{'revoke_cancel_many peak memory, ' + format(memory['n'], ',') + ' ids':<56} "
            f"{memory['peak_growth_mb']:>7.1f}MB {'':>9} "
            f"{memory['mb_per_10k_ids']:>6.2f}MB per 10k ids (the results list alone: "
            f"{memory['record_mb_per_10k']:.2f}MB per 10k)"
        )
    imports = report.get("imports")
    if imports:
        print(
            f"{'import voxasync vs aiohttp+attrs+cattrs+anyio':<56} "
            f"{imports['sdk_ms']:>7.1f}ms {imports['deps_ms']:>7.1f}ms "
            f"{imports['ratio']:>7.2f}x {'<=1.20x':>9}  {imports['result']}"
        )
    for line in report.get("skipped", []):
        print(f"skipped: {line}")
    hops = report.get("portal_hops")
    if hops:
        print()
        print("sync facade: one round trip of a no-op coroutine onto the portal's loop")
        for name, micros in hops.items():
            print(f"  {name:<52} {micros:>7.1f} us")
    sweep_table = report.get("sweep")
    if sweep_table:
        levels = list(next(iter(sweep_table.values())).keys())
        print()
        print("throughput (calls/s) against requests in flight:")
        print(f"  {'in flight':<10}" + "".join(f"{name:>12}" for name in sweep_table))
        for level in levels:
            print(
                f"  {level:<10}"
                + "".join(f"{sweep_table[name][level]:>12,.0f}" for name in sweep_table)
            )


def build_table(comparisons: Sequence[Comparison], *, quick: bool) -> list[dict[str, Any]]:
    rows = []
    for c in comparisons:
        ours, theirs = statistics.median(c.ours_rates), statistics.median(c.theirs_rates)
        rows.append(
            {
                "label": c.label,
                "ours_key": c.ours,
                "theirs_key": c.theirs,
                "ours": ours,
                "theirs": theirs,
                "ratio": c.ratio,
                "ratio_of_medians": ours / theirs,
                "ours_rates": c.ours_rates,
                "theirs_rates": c.theirs_rates,
                "target": c.target,
                "result": c.note or (QUICK_VERDICT if quick else verdict(c.ratio, c.target)),
            }
        )
    return rows


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="voxasync benchmarks (see BENCHMARKS.md)")
    parser.add_argument("--quick", action="store_true", help="tiny N: a smoke run, seconds")
    parser.add_argument("-n", "--calls", type=int, help="calls per measurement (default 5000)")
    parser.add_argument("--rounds", type=int, help="alternating rounds (default 7)")
    parser.add_argument("--sweep-levels", default="1,8,32,100,256", help="comma-separated")
    parser.add_argument("--sweep-calls", type=int, help="calls per sweep point (default 2000)")
    parser.add_argument("--sweep-rounds", type=int, help="rounds per sweep point (default 3)")
    parser.add_argument("--memory-ids", type=int, help="ids for the memory run (default 100000)")
    parser.add_argument("--import-rounds", type=int, help="fresh interpreters each (default 21)")
    parser.add_argument("--no-sweep", action="store_true")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--no-imports", action="store_true")
    parser.add_argument("--no-chart", action="store_true", help="do not redraw the PNG")
    parser.add_argument("--json", type=Path, help="where to write the results as JSON")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-round progress")
    # Internal: the isolated memory measurement runs this script again with these.
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=MAX_IN_FLIGHT, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.memory_child is not None:
        memory_child(args.base_url, args.memory_child, args.concurrency)
        return 0

    quick = args.quick
    n = args.calls or (60 if quick else 5000)
    rounds = args.rounds or (2 if quick else 7)
    sweep_levels = [int(x) for x in args.sweep_levels.split(",") if x.strip()]
    if quick:
        sweep_levels = [x for x in sweep_levels if x <= 8] or sweep_levels[:1]
    sweep_calls = args.sweep_calls or (40 if quick else 2000)
    sweep_rounds = args.sweep_rounds or (1 if quick else 3)
    memory_ids = args.memory_ids or (400 if quick else 100_000)
    import_rounds = args.import_rounds or (2 if quick else 21)
    verbose = not args.quiet

    report: dict[str, Any] = {
        "machine": machine(),
        "n": n,
        "rounds": rounds,
        "quick": quick,
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    started = time.perf_counter()
    with canned_server() as base_url:
        if verbose:
            print(f"server: {base_url}; N={n}, {rounds} rounds", flush=True)
        measurements, comparisons, skipped = main_comparisons(
            base_url, n, rounds, warm_n=min(n, 2 * MAX_IN_FLIGHT), verbose=verbose
        )
        report["measurements"] = {
            m.key: {"label": m.label, "calls": m.calls, "median": m.median, "rates": m.rates}
            for m in measurements
        }
        report["table"] = build_table(comparisons, quick=quick)
        report["skipped"] = skipped
        if verbose:
            print("portal hop ...", flush=True)
        report["portal_hops"] = portal_hops(200 if quick else 2000, 3 if quick else 7)
        if not args.no_sweep:
            if verbose:
                print("sweep ...", flush=True)
            report["sweep"] = sweep(
                base_url, sweep_levels, sweep_calls, sweep_rounds, verbose=verbose
            )
            report["sweep_calls"] = sweep_calls
            report["sweep_rounds"] = sweep_rounds
        if not args.no_memory:
            if verbose:
                print("memory ...", flush=True)
            sizes = sorted({max(memory_ids // 10, 1), memory_ids})
            report["memory"] = measure_memory(base_url, sizes, MAX_IN_FLIGHT)
    if not args.no_imports:
        if verbose:
            print("import time ...", flush=True)
        times = import_times(import_rounds)
        ratio = times[IMPORT_SDK] / times[IMPORT_DEPS]
        report["imports"] = {
            "sdk_ms": times[IMPORT_SDK] * 1000,
            "deps_ms": times[IMPORT_DEPS] * 1000,
            "ratio": ratio,
            "rounds": import_rounds,
            "result": QUICK_VERDICT if quick else verdict(ratio, 1.2, higher_is_better=False),
        }
    report["seconds"] = time.perf_counter() - started
    print_report(report)

    out = args.json
    if out is None and not quick:
        out = RESULTS_DIR / "latest.json"
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(report, indent=2)
        out.write_text(text)
        if not quick and args.json is None:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            (RESULTS_DIR / f"run-{stamp}.json").write_text(text)
        print(f"\nresults written to {out}")
        if not quick and not args.no_chart and "sweep" in report:
            try:
                from chart import draw
            except ImportError as exc:  # matplotlib missing
                print(f"chart not drawn: {exc}")
            else:
                draw(report, CHART_PATH)
                print(f"chart written to {CHART_PATH}")
    print(f"done in {report['seconds']:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""What each speed change in the SDK's hot path buys, measured by switching it off again.

The switches reach into private internals, for this measurement only:

- ``orjson``: ``voxasync._converter.orjson = None``, so answers go through ``json.loads``.
- ``optional-hook``: a converter built without the ``X | None`` hook factory, so cattrs
  dispatches each optional field's inner hook again on every value.
- ``path-fast-path``: ``number_path`` always runs ``urllib.parse.quote``.
- ``url-reuse``: ``Transport.url`` parses ``base_url + path`` anew, so every request parses
  ``URL(base_url + path, encoded=True)`` from scratch.
- ``portal-hop`` (sync only): ``LoopThread.call`` through anyio's
  ``portal.start_task_soon`` as before, instead of ``asyncio.run_coroutine_threadsafe``.

Three parts:

1. SDK CPU per call with the network taken out (a fake aiohttp session that answers at once):
   everything on, each switch off alone, everything off. Minimum over repeats.
2. Against ``bench/server.py``: AsyncVox sequential and gather with everything on, and with
   everything off (the code as it was), each paired with raw aiohttp in the same round.
3. Sync ``Vox`` sequential with the new hop and with the anyio hop, paired.

    python bench/ablation.py            # N=5000, 7 rounds
    python bench/ablation.py --quick    # smoke run
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cattrs
from multidict import CIMultiDict, CIMultiDictProxy
from run import (
    API_KEY,
    MAX_IN_FLIGHT,
    AsyncSide,
    canned_server,
    gather_all,
    number_ids,
    sequential,
)
from server import BODY
from yarl import URL

from voxasync import AsyncVox, Vox, _converter, _paths
from voxasync._sync._portal import LoopThread
from voxasync._transport import Transport
from voxasync.models import OrganizationTelephoneNumber

# -- the switches ----------------------------------------------------------------------------


@contextmanager
def no_orjson() -> Iterator[None]:
    saved = _converter.orjson
    _converter.orjson = None
    try:
        yield
    finally:
        _converter.orjson = saved


_PLAIN_CONVERTER: list[cattrs.Converter] = []


def _converter_without_optional_hook() -> cattrs.Converter:
    """``make_converter()`` as it is, but for the one factory; built and warmed once."""
    if not _PLAIN_CONVERTER:
        original = cattrs.Converter.register_structure_hook_factory

        def skip_ours(self: cattrs.Converter, predicate: Any, factory: Any = None) -> Any:
            if predicate is _converter.is_optional:
                return factory
            return original(self, predicate, factory)

        cattrs.Converter.register_structure_hook_factory = skip_ours  # type: ignore[method-assign]
        try:
            plain = _converter.make_converter()
        finally:
            cattrs.Converter.register_structure_hook_factory = original  # type: ignore[method-assign]
        plain.structure(_converter.decode_json(BODY), OrganizationTelephoneNumber)
        _PLAIN_CONVERTER.append(plain)
    return _PLAIN_CONVERTER[0]


@contextmanager
def no_optional_hook() -> Iterator[None]:
    plain = _converter_without_optional_hook()
    saved = _converter.converter
    _converter.converter = plain
    try:
        yield
    finally:
        _converter.converter = saved


@contextmanager
def no_path_fast_path() -> Iterator[None]:
    saved = _paths._UNRESERVED
    _paths._UNRESERVED = _NEVER  # type: ignore[misc]
    try:
        yield
    finally:
        _paths._UNRESERVED = saved  # type: ignore[misc]


class _Never:
    @staticmethod
    def fullmatch(_: str) -> None:
        return None


_NEVER = _Never()

@contextmanager
def no_url_reuse() -> Iterator[None]:
    saved = Transport.url

    def parse_every_time(self: Transport, path: str) -> URL:
        return URL(self.base_url + path, encoded=True)

    Transport.url = parse_every_time  # type: ignore[method-assign]
    try:
        yield
    finally:
        Transport.url = saved  # type: ignore[method-assign]


def _anyio_hop(self: LoopThread, func: Any, *args: Any, **kwargs: Any) -> Any:
    """The hop as it was: a task spawned in the portal's task group."""
    future = self.portal.start_task_soon(lambda: func(*args, **kwargs))
    try:
        return future.result()
    except BaseException:
        future.cancel()
        raise


@contextmanager
def anyio_portal_hop() -> Iterator[None]:
    saved = LoopThread.call
    LoopThread.call = _anyio_hop  # type: ignore[method-assign, assignment]
    try:
        yield
    finally:
        LoopThread.call = saved  # type: ignore[method-assign]


SWITCHES: dict[str, Callable[[], Any]] = {
    "orjson": no_orjson,
    "optional-hook": no_optional_hook,
    "path-fast-path": no_path_fast_path,
    "url-reuse": no_url_reuse,
}


@contextmanager
def switched_off(names: Sequence[str]) -> Iterator[None]:
    with ExitStack() as stack:
        for name in names:
            stack.enter_context(SWITCHES[name]())
        yield


# -- part 1: CPU per call without the network ------------------------------------------------

_HEADERS = CIMultiDictProxy(CIMultiDict({"Content-Type": "application/json"}))


class _FakeResponse:
    status = 200
    headers = _HEADERS

    async def read(self) -> bytes:
        return BODY

    async def __aenter__(self) -> _FakeResponse:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class _FakeSession:
    closed = False

    def request(self, method: str, url: object, **kwargs: object) -> _FakeResponse:
        return _FakeResponse()

    async def close(self) -> None:
        self.closed = True


def cpu_per_call(n: int, repeats: int) -> dict[str, float]:
    """Microseconds of SDK work per revoke_cancel, the network replaced by a fake session."""
    configurations: dict[str, list[str]] = {"all on (now)": []}
    configurations.update({f"{name} off": [name] for name in SWITCHES})
    configurations["all off (before)"] = list(SWITCHES)

    async def measure() -> dict[str, float]:
        fake_session: Any = _FakeSession()  # the session= argument takes any session
        vox = AsyncVox(API_KEY, base_url="http://127.0.0.1:9", session=fake_session)
        revoke_cancel = vox.organization_telephone_numbers.revoke_cancel
        ids = number_ids(n)
        samples: dict[str, list[float]] = {name: [] for name in configurations}
        for number in range(repeats):
            items = list(configurations.items())
            for name, off in items if number % 2 == 0 else reversed(items):
                with switched_off(off):
                    started = time.perf_counter()
                    for number_id in ids:
                        await revoke_cancel(number_id)
                    samples[name].append((time.perf_counter() - started) / n * 1e6)
        await vox.aclose()
        return {name: min(values) for name, values in samples.items()}

    return asyncio.run(measure())


# -- parts 2 and 3: against the canned server ------------------------------------------------


def paired(
    sides: dict[str, Callable[[], float]], calls: int, rounds: int
) -> dict[str, list[float]]:
    rates: dict[str, list[float]] = {name: [] for name in sides}
    for number in range(rounds):
        items = list(sides.items())
        for name, run in items if number % 2 == 0 else reversed(items):
            rates[name].append(calls / run())
    return rates


def with_switches_off(names: Sequence[str], run: Callable[[], float]) -> Callable[[], float]:
    def switched() -> float:
        with switched_off(names):
            return run()

    return switched


def against_server(base_url: str, n: int, rounds: int) -> dict[str, dict[str, float]]:
    ids = number_ids(n)
    side = AsyncSide(base_url, MAX_IN_FLIGHT)
    side.open()
    vox = Vox(API_KEY, base_url=base_url, max_connections=MAX_IN_FLIGHT)
    try:
        assert side.vox is not None
        out: dict[str, dict[str, float]] = {}
        shapes: dict[str, Callable[[Callable[[str], Awaitable[object]]], Any]] = {
            "sequential": lambda call: sequential(call, ids),
            "gather": lambda call: gather_all(call, ids),
        }
        for shape, make in shapes.items():
            sides = {
                "raw aiohttp": side.timed(make(side.raw_call)),
                "AsyncVox now": side.timed(make(side.sdk_call)),
                "AsyncVox before": with_switches_off(
                    list(SWITCHES), side.timed(make(side.sdk_call))
                ),
            }
            for run in sides.values():
                run()  # warm-up
            out[shape] = _summary(paired(sides, n, rounds), "raw aiohttp")

        numbers = vox.organization_telephone_numbers

        def sync_sequential() -> float:
            started = time.perf_counter()
            for number_id in ids:
                numbers.revoke_cancel(number_id)
            return time.perf_counter() - started

        def sync_before() -> float:
            with anyio_portal_hop(), switched_off(list(SWITCHES)):
                return sync_sequential()

        def sync_old_hop() -> float:
            with anyio_portal_hop():
                return sync_sequential()

        sync_sides = {
            "Vox now": sync_sequential,
            "Vox with the anyio hop": sync_old_hop,
            "Vox before (all off)": sync_before,
        }
        for run in sync_sides.values():
            run()
        out["sync sequential"] = _summary(paired(sync_sides, n, rounds), "Vox before (all off)")
        return out
    finally:
        try:
            vox.close()
        finally:
            side.close()


def _summary(rates: dict[str, list[float]], reference: str) -> dict[str, float]:
    ref = rates[reference]
    result = {}
    for name, values in rates.items():
        result[f"{name} /s"] = statistics.median(values)
        if name != reference:
            pairs = zip(values, ref, strict=True)
            result[f"{name} / {reference}"] = statistics.median(a / b for a, b in pairs)
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("-n", "--calls", type=int)
    parser.add_argument("--rounds", type=int)
    args = parser.parse_args(argv)
    n = args.calls or (100 if args.quick else 5000)
    rounds = args.rounds or (2 if args.quick else 7)

    print(f"1. SDK CPU per call, network replaced by a fake session ({n} calls, min of repeats)")
    cpu = cpu_per_call(n, 3 if args.quick else 15)
    now = cpu["all on (now)"]
    for name, micros in cpu.items():
        print(f"   {name:<22} {micros:6.2f} us   {micros - now:+6.2f} us vs now")
    with canned_server() as base_url:
        print(f"2./3. against the canned server: N={n}, median of {rounds} paired rounds")
        for shape, summary in against_server(base_url, n, rounds).items():
            print(f"   {shape}:")
            for key, value in summary.items():
                unit = "x" if " / " in key else ""
                print(f"      {key:<48} {value:>9,.2f}{unit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``python -m voxasync demo``: the SDK's main job, end to end, with no key and no network.

A fake vox.ai server (``voxasync.testing.FakeVoxServer``) starts in this process on
127.0.0.1, seeded with numbers pending termination. Then one is restored from async code
(``AsyncVox``), one from the sync client (``Vox``), and the rest as a batch
(``revoke_cancel_many``) with a progress line, and a before/after table is printed.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Coroutine
from typing import Any, TextIO, TypeVar

from ._client import AsyncVox
from ._console import Progress, format_ms, format_table
from ._sync import Vox
from ._version import __version__
from .models import OrganizationTelephoneNumber, TelephoneNumberStatus

__all__ = ["run_demo"]

T = TypeVar("T")

_ALL_STATUSES = [status.value for status in TelephoneNumberStatus]


def _run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run``, or the same on a helper thread when this thread already runs a loop
    (the demo called from a notebook)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = asyncio.run(coroutine)
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=run, name="voxasync-demo-async")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    value: T = box["value"]
    return value


async def _restore_with_async_client(
    api_key: str, base_url: str, number_id: str
) -> OrganizationTelephoneNumber:
    async with AsyncVox(api_key, base_url=base_url) as vox:
        return await vox.organization_telephone_numbers.revoke_cancel(number_id)


def _short(number_id: str) -> str:
    return number_id[:8]


def run_demo(out: TextIO, err: TextIO, *, count: int = 12, latency: float = 0.03) -> int:
    """Run the demo, writing the story to ``out`` and the progress line to ``err``.

    Returns 0 when every seeded number was restored, else 1.
    """
    from .testing import FakeVoxServer

    started = time.perf_counter()
    with FakeVoxServer(latency=latency) as server:
        ids = server.seed_pending(count)
        out.write(
            f"voxasync {__version__} demo: a fake vox.ai server runs in this process at "
            f"{server.url}\n(no API key, no network beyond loopback)\n\n"
        )
        with Vox(server.api_key, base_url=server.url) as vox:
            numbers = vox.organization_telephone_numbers
            before = {n.id: n for n in numbers.list(status="cancel_requested")}
            out.write(
                f"{len(before)} numbers are pending termination (status cancel_requested).\n\n"
            )
            via = _restore_three_ways(server.api_key, server.url, vox, ids, out, err)
            after = {n.id: n for n in numbers.list(status=_ALL_STATUSES, limit=100)}
        request_count = len(server.requests)

    all_active = _write_table(out, ids, before, after, via)
    elapsed = time.perf_counter() - started
    restored_total = sum(1 for n in ids if after.get(n) and after[n].status == "active")
    out.write(
        f"{restored_total} of {len(ids)} numbers restored in {elapsed:.2f} s; the fake server "
        f"answered {request_count} requests.\n"
        "Next: `vox --sandbox numbers list --status all`, or with a real key in $VOX_API_KEY: "
        "`vox numbers revoke-cancel --all-pending --dry-run`\n"
    )
    return 0 if all_active else 1


def _restore_three_ways(
    api_key: str, base_url: str, vox: Vox, ids: list[str], out: TextIO, err: TextIO
) -> dict[str, str]:
    """One number from async code, one from the sync client, the rest as a batch."""
    numbers = vox.organization_telephone_numbers
    via: dict[str, str] = {}
    first = _run_coroutine(_restore_with_async_client(api_key, base_url, ids[0]))
    via[first.id] = "async"
    out.write(
        f"1. async  await AsyncVox(...).organization_telephone_numbers"
        f".revoke_cancel('{_short(ids[0])}...')  -> {first.status}\n"
    )
    second = numbers.revoke_cancel(ids[1])
    via[second.id] = "sync"
    out.write(
        f"2. sync   Vox(...).organization_telephone_numbers"
        f".revoke_cancel('{_short(ids[1])}...')  -> {second.status}\n"
    )
    out.flush()

    rest = ids[2:]
    progress = Progress(len(rest), label="   batch", stream=err)

    def on_result(_index: int, number_id: str, result: object) -> None:
        progress.advance(ok=isinstance(result, OrganizationTelephoneNumber))
        via[number_id] = "batch"

    progress.start()
    try:
        results = numbers.revoke_cancel_many(rest, concurrency=4, on_result=on_result)
    finally:
        progress.finish()
    restored = sum(isinstance(r, OrganizationTelephoneNumber) for r in results)
    out.write(
        f"3. batch  Vox(...).organization_telephone_numbers.revoke_cancel_many("
        f"{len(rest)} ids, concurrency=4)  -> {restored} restored, "
        f"{len(rest) - restored} failed\n\n"
    )
    return via


def _write_table(
    out: TextIO,
    ids: list[str],
    before: dict[str, OrganizationTelephoneNumber],
    after: dict[str, OrganizationTelephoneNumber],
    via: dict[str, str],
) -> bool:
    """The before/after table; whether every number ended up active."""
    rows = []
    all_active = True
    for number_id in ids:
        old, new = before.get(number_id), after.get(number_id)
        status_before = str(old.status) if old else "?"
        status_after = str(new.status) if new else "?"
        all_active = all_active and new is not None and new.status == "active"
        rows.append([
            _short(number_id),
            new.number if new else (old.number if old else "?"),
            f"{status_before} -> {status_after}",
            format_ms(old.end_at) if old else "-",
            format_ms(new.end_at) if new else "-",
            via.get(number_id, "-"),
        ])
    out.write(format_table(
        ["ID", "NUMBER", "STATUS BEFORE -> AFTER", "END_AT BEFORE (UTC)", "END_AT AFTER", "VIA"],
        rows,
    ) + "\n\n")
    return all_active

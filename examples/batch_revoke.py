"""Undo every pending termination at once: list the numbers, revoke them all, report.

Someone asked to terminate a batch of numbers by mistake: each is now ``cancel_requested``
until the end of its paid period. This script finds every such number and cancels the
termination of all of them, a bounded number at a time, showing progress as it goes.

Against the real API (the key and, optionally, the base URL come from the environment)::

    export VOX_API_KEY=...                    # your organization API key
    python examples/batch_revoke.py --concurrency 8 --rate 5

Without an account, against a local fake server seeded with pending numbers (also what it
does when VOX_API_KEY is not set)::

    python examples/batch_revoke.py --sandbox

Exit status: 0 when every pending number was restored, 1 when some could not be, 2 when the
client could not be set up (no key, bad URL).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from voxasync import AsyncVox, OrganizationTelephoneNumber, VoxError

if TYPE_CHECKING:
    from voxasync.testing import FakeVoxServer


async def count_pending(vox: AsyncVox) -> int:
    """How many numbers are pending termination right now (one small page is enough)."""
    async for page in vox.organization_telephone_numbers.list(
        status="cancel_requested", limit=1
    ).pages():
        return page.total_count if page.total_count is not None else len(page.items)
    return 0


async def revoke_all(vox: AsyncVox, *, concurrency: int, rate_limit: float | None) -> int:
    numbers = vox.organization_telephone_numbers
    pending = [n.id async for n in numbers.list(status="cancel_requested", limit=100)]
    print(f"{len(pending)} numbers pending termination")
    if not pending:
        return 0

    done = failed = 0
    interactive = sys.stdout.isatty()
    step = max(1, len(pending) // 10)
    started = time.perf_counter()

    def progress(
        index: int, number_id: str, result: OrganizationTelephoneNumber | Exception
    ) -> None:
        nonlocal done, failed
        done += 1
        if isinstance(result, Exception):
            failed += 1
            print(f"\n  {number_id}: {type(result).__name__}: {result}", file=sys.stderr)
        if interactive or done % step == 0 or done == len(pending):
            line = f"  {done}/{len(pending)} done, {failed} failed"
            print(f"\r{line}" if interactive else line, end="" if interactive else "\n",
                  flush=True)

    results = await numbers.revoke_cancel_many(
        pending, concurrency=concurrency, rate_limit=rate_limit, on_result=progress
    )
    if interactive:
        print()
    elapsed = time.perf_counter() - started
    restored = sum(isinstance(r, OrganizationTelephoneNumber) for r in results)
    still_pending = await count_pending(vox)
    print(
        f"restored {restored} of {len(pending)}, {len(pending) - restored} failed; "
        f"{still_pending} still pending ({elapsed:.2f}s, {len(pending) / elapsed:.0f} ids/s)"
    )
    return 0 if restored == len(pending) else 1


@contextlib.contextmanager
def sandbox(pending: int) -> Iterator[FakeVoxServer]:
    """A local fake vox server with ``pending`` numbers to restore, among others."""
    from voxasync.testing import FakeVoxServer, Fault  # only the sandbox needs it

    with FakeVoxServer(latency=0.002) as server:
        server.seed_pending(pending)
        for _ in range(20):
            server.add_number(status="active")
        server.add_number(status="expired")
        # A couple of hiccups, to show that transient failures are retried.
        server.inject(Fault.status(503), action="revoke-cancel", times=2)
        print(f"sandbox: fake vox server at {server.url}")
        yield server


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--concurrency", type=int, default=8,
                        help="most requests in flight at once (default 8)")
    parser.add_argument("--rate", "--rate-limit", dest="rate_limit", type=float, default=None,
                        help="most requests started per second (default: no cap)")
    parser.add_argument("--sandbox", action="store_true",
                        help="run against a local fake server instead of the real API")
    parser.add_argument("--sandbox-numbers", type=int, default=250, metavar="N",
                        help="pending numbers to seed the sandbox with (default 250)")
    args = parser.parse_args(argv)

    with contextlib.ExitStack() as stack:
        api_key = base_url = None  # None: $VOX_API_KEY and $VOX_BASE_URL, like any script
        if args.sandbox or not os.environ.get("VOX_API_KEY"):
            if not args.sandbox:
                print("VOX_API_KEY is not set: running against the sandbox", file=sys.stderr)
            server = stack.enter_context(sandbox(args.sandbox_numbers))
            api_key, base_url = server.api_key, server.url
        try:
            vox = AsyncVox(api_key, base_url=base_url)
        except VoxError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        async with vox:
            return await revoke_all(
                vox, concurrency=args.concurrency, rate_limit=args.rate_limit
            )


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

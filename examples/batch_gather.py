"""Restore many numbers at once: ``asyncio.gather`` by hand, then ``revoke_cancel_many``.

Both give one result per id, in order, with failures as exception objects rather than
raised: one bad id never stops the others. ``revoke_cancel_many`` also bounds how many
requests are in flight (``concurrency``) and how fast they start (``rate_limit``), shares
429 back-off across the batch, and reads the ids lazily; with ``gather`` that is on you.

    VOX_API_KEY=... python examples/batch_gather.py ID [ID ...]            # revoke_cancel_many
    VOX_API_KEY=... python examples/batch_gather.py --gather ID [ID ...]   # asyncio.gather

With --sandbox (or when VOX_API_KEY is not set) it runs both ways against voxasync's fake
server, started in this process, each on its own freshly seeded numbers plus an unknown id
and a number that is not pending, to show how failures come back.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from voxasync import AsyncVox, OrganizationTelephoneNumber, VoxError


def report(title: str, ids: Sequence[str], results: Sequence[object]) -> int:
    """Print one line per id; return how many failed."""
    print(title)
    failed = 0
    for number_id, result in zip(ids, results, strict=True):
        if isinstance(result, OrganizationTelephoneNumber):
            print(f"  ok      {number_id}  {result.number}  -> {result.status}")
        elif isinstance(result, VoxError | ValueError | TypeError):
            failed += 1
            print(f"  failed  {number_id}  {type(result).__name__}: {result}")
        else:  # anything else is a bug, not an API failure: let it surface
            raise result if isinstance(result, BaseException) else TypeError(result)
    print(f"  {len(ids) - failed} restored, {failed} failed")
    return failed


async def with_gather(vox: AsyncVox, ids: Sequence[str]) -> int:
    numbers = vox.organization_telephone_numbers
    # Every request starts at once (the client still caps connections at max_connections).
    results = await asyncio.gather(
        *(numbers.revoke_cancel(number_id) for number_id in ids), return_exceptions=True
    )
    return report("asyncio.gather(..., return_exceptions=True):", ids, results)


async def with_revoke_cancel_many(vox: AsyncVox, ids: Sequence[str]) -> int:
    results = await vox.organization_telephone_numbers.revoke_cancel_many(
        ids, concurrency=4, rate_limit=20
    )
    return report("revoke_cancel_many(ids, concurrency=4, rate_limit=20):", ids, results)


async def sandbox() -> int:
    from voxasync.testing import FakeVoxServer

    async with FakeVoxServer() as server:

        def ids_to_restore() -> list[str]:
            active = server.add_number(status="active")["id"]
            return [*server.seed_pending(4), "no-such-number", active]

        async with AsyncVox(server.api_key, base_url=server.url) as vox:
            failed = await with_gather(vox, ids_to_restore())
            print()
            failed += await with_revoke_cancel_many(vox, ids_to_restore())
    # Two failures per run are expected in the sandbox: the unknown id and the active number.
    return 0 if failed == 4 else 1


async def real(ids: Sequence[str], *, gather: bool) -> int:
    async with AsyncVox() as vox:  # key from $VOX_API_KEY, base URL from $VOX_BASE_URL
        run = with_gather if gather else with_revoke_cancel_many
        return 1 if await run(vox, ids) else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ids", nargs="*", metavar="ID", help="record ids to restore")
    parser.add_argument("--gather", action="store_true", help="use asyncio.gather by hand")
    parser.add_argument("--sandbox", action="store_true", help="use an in-process fake server")
    args = parser.parse_args()
    if args.sandbox or not os.environ.get("VOX_API_KEY"):
        if not args.sandbox:
            print("VOX_API_KEY is not set: running against the sandbox", file=sys.stderr)
        return asyncio.run(sandbox())
    if not args.ids:
        parser.error("give the ids of the numbers to restore")
    return asyncio.run(real(args.ids, gather=args.gather))


if __name__ == "__main__":
    sys.exit(main())

"""Cancel one number's scheduled termination from async code.

    VOX_API_KEY=... python examples/revoke_cancel_async.py ORGANIZATION_TELEPHONE_NUMBER_ID

With --sandbox (or when VOX_API_KEY is not set) it runs against voxasync's fake server,
started in this process, so you can try it without a key; the id is then optional.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from contextlib import ExitStack

from voxasync import AsyncVox, VoxError


async def restore(number_id: str, api_key: str | None, base_url: str | None) -> int:
    # The key falls back to $VOX_API_KEY and the base URL to $VOX_BASE_URL.
    async with AsyncVox(api_key, base_url=base_url) as vox:
        try:
            number = await vox.organization_telephone_numbers.revoke_cancel(number_id)
        except VoxError as error:
            print(f"could not restore {number_id}: {error}", file=sys.stderr)
            return 1
    print(f"{number.number} ({number.id}) is {number.status}; end_at is now {number.end_at}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("id", nargs="?", help="the number's record id")
    parser.add_argument("--sandbox", action="store_true", help="use an in-process fake server")
    args = parser.parse_args()

    with ExitStack() as stack:
        api_key = base_url = None
        number_id = args.id
        if args.sandbox or not os.environ.get("VOX_API_KEY"):
            if not args.sandbox:
                print("VOX_API_KEY is not set: running against the sandbox", file=sys.stderr)
            from voxasync.testing import FakeVoxServer

            server = stack.enter_context(FakeVoxServer())
            number_id = server.add_number(id=number_id, status="cancel_requested")["id"]
            api_key, base_url = server.api_key, server.url
        elif number_id is None:
            parser.error("give the id of the number to restore")
        return asyncio.run(restore(number_id, api_key, base_url))


if __name__ == "__main__":
    sys.exit(main())

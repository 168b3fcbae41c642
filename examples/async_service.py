"""A small aiohttp web service that restores numbers: one shared ``AsyncVox`` for the app.

``POST /numbers/{id}/restore`` cancels that number's scheduled termination and answers the
restored record as JSON: 404 when there is no such number, 409 when it is not pending
termination, 422 when it cannot be restored (a custom number), 502 when vox.ai fails.

The client is created once, in the app's life cycle (``cleanup_ctx``), and shared by every
request: it holds the connection pool, and it is closed when the app stops.

    VOX_API_KEY=... python examples/async_service.py --port 8080
    curl -X POST http://127.0.0.1:8080/numbers/<id>/restore

With --sandbox (or when VOX_API_KEY is not set) it serves against voxasync's fake server,
started in this process and seeded with numbers pending termination; their ids are printed.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import ExitStack
from typing import Final

from aiohttp import web

from voxasync import (
    AsyncVox,
    BadRequestError,
    ConflictError,
    NotFoundError,
    UnprocessableEntityError,
    VoxError,
)

VOX: Final = web.AppKey("vox", AsyncVox)

_dumps = functools.partial(json.dumps, ensure_ascii=False)  # vox.ai messages are Korean


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": message}}, status=status, dumps=_dumps
    )


async def restore(request: web.Request) -> web.Response:
    vox = request.app[VOX]  # the one client, shared by every request
    number_id = request.match_info["number_id"]
    try:
        number = await vox.organization_telephone_numbers.revoke_cancel(number_id)
    except NotFoundError as error:
        return _error(404, error.code or "NOT_FOUND", error.message)
    except ConflictError as error:
        return _error(409, error.code or "CONFLICT", error.message)
    except (BadRequestError, UnprocessableEntityError) as error:
        return _error(422, error.code or "UNPROCESSABLE", error.message)
    except ValueError as error:  # an id the SDK refuses before sending, e.g. "."
        return _error(400, "INVALID_ID", str(error))
    except VoxError as error:  # vox.ai unreachable, 5xx after retries, auth, ...
        return _error(502, "UPSTREAM_ERROR", str(error))
    return web.json_response(number.to_dict(), dumps=_dumps)


def create_app(*, api_key: str | None = None, base_url: str | None = None) -> web.Application:
    """The service. ``api_key`` and ``base_url`` default to $VOX_API_KEY and $VOX_BASE_URL."""

    async def vox_client(app: web.Application) -> AsyncIterator[None]:
        async with AsyncVox(api_key, base_url=base_url) as vox:
            app[VOX] = vox
            yield  # the app serves here; the client closes when it stops

    app = web.Application()
    app.cleanup_ctx.append(vox_client)
    app.router.add_post("/numbers/{number_id}/restore", restore)
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    parser.add_argument("--sandbox", action="store_true", help="use an in-process fake server")
    args = parser.parse_args()

    with ExitStack() as stack:
        api_key: str | None = None
        base_url: str | None = None
        if args.sandbox or not os.environ.get("VOX_API_KEY"):
            if not args.sandbox:
                print("VOX_API_KEY is not set: running against the sandbox", file=sys.stderr)
            from voxasync.testing import FakeVoxServer

            server = stack.enter_context(FakeVoxServer())
            pending = server.seed_pending(3)
            api_key, base_url = server.api_key, server.url
            print("sandbox numbers pending termination:", *pending, sep="\n  ")

        # Bind first, so that --port 0 can print the port it got before serving.
        sock = socket.create_server((args.host, args.port))
        stack.callback(sock.close)
        host, port = sock.getsockname()[:2]
        print(f"listening on http://{host}:{port}", flush=True)
        web.run_app(create_app(api_key=api_key, base_url=base_url), sock=sock, print=None)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The client a command runs with: the ``--sandbox`` fake server and its sample numbers, or
the real API with a key from ``$VOX_API_KEY`` or ``--api-key-file``.

The key is never taken from a plain argument, which would end up in shell history and in
``ps`` (the parser refuses ``--api-key``).
"""

from __future__ import annotations

import argparse
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, TextIO

from .._sync import Vox
from ..errors import VoxError
from ._output import UsageError

if TYPE_CHECKING:
    from ..testing import FakeVoxServer

MISSING_KEY: Final = (
    "no API key: set the VOX_API_KEY environment variable, or pass --api-key-file PATH "
    "(a file holding only the key). To try the command without a key, add --sandbox."
)

#: What ``--sandbox`` seeds, in order: (provider, status, memo).
SANDBOX_NUMBERS: Final[tuple[tuple[str, str, str | None], ...]] = (
    ("vox", "active", "대표번호"),
    ("vox", "active", None),
    ("custom", "active", "SIP trunk"),
    ("vox", "cancel_requested", "지점 상담"),
    ("vox", "cancel_requested", None),
    ("vox", "cancel_requested", None),
    ("vox", "cancel_requested", "campaign 2024"),
    ("vox", "cancel_requested", None),
    ("vox", "cancel_requested", None),
    ("custom", "expired", None),
)

_SANDBOX_NAMESPACE: Final = uuid.UUID("7c1f4d2e-5b7a-4a43-9d0e-2f6a1c9b8e31")


def sandbox_id(position: int) -> str:
    """The id of the ``position``-th sandbox number (from 0): the same on every run."""
    return str(uuid.uuid5(_SANDBOX_NAMESPACE, f"number-{position}"))


def seed_sandbox(server: FakeVoxServer) -> list[str]:
    """Add :data:`SANDBOX_NUMBERS` to ``server``, with stable ids and numbers; return the ids."""
    ids = []
    for position, (provider, status, memo) in enumerate(SANDBOX_NUMBERS):
        record = server.add_number(
            id=sandbox_id(position),
            number=f"0701234{position + 1:04d}",
            provider=provider,
            status=status,
            memo=memo,
            address="sip:pbx.example.co.kr:5060" if provider == "custom" else None,
        )
        ids.append(record["id"])
    return ids


@dataclass(frozen=True)
class Connection:
    """The global options that choose the client, as given (before or after the command)."""

    sandbox: bool = False
    api_key_file: str | None = None
    base_url: str | None = None
    allow_insecure_http: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Connection:
        return cls(
            sandbox=getattr(args, "sandbox", False),
            api_key_file=getattr(args, "api_key_file", None),
            base_url=getattr(args, "base_url", None),
            allow_insecure_http=getattr(args, "allow_insecure_http", False),
        )


def read_text(option: str, path: str, stdin: TextIO | None = None) -> str:
    """The whole text of the file an option names (``-`` is stdin where allowed)."""
    try:
        if path == "-" and stdin is not None:
            return stdin.read()
        with open(path, encoding="utf-8") as file:
            return file.read()
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "unreadable"
        raise UsageError(f"cannot read {option} {path!r}: {reason}") from None


def _read_key_file(path: str) -> str:
    key = read_text("--api-key-file", path).strip()
    if not key:
        raise UsageError(f"--api-key-file {path!r} is empty")
    if len(key.split()) != 1:
        raise UsageError(f"--api-key-file {path!r} must hold the key alone, on one line")
    return key


@contextmanager
def open_client(connection: Connection, err: TextIO, prog: str) -> Iterator[Vox]:
    """The client a command runs with: the sandbox's, or one for the real API."""
    if connection.sandbox:
        with _sandbox_client(connection, err, prog) as vox:
            yield vox
        return
    key_file = connection.api_key_file
    key = _read_key_file(key_file) if key_file is not None else os.environ.get("VOX_API_KEY")
    if key is None or not key.strip():
        raise UsageError(MISSING_KEY)
    try:
        vox = Vox(
            key, base_url=connection.base_url,
            allow_insecure_http=connection.allow_insecure_http,
        )
    except VoxError as exc:
        # The SDK names its argument; on the command line it is the flag.
        message = str(exc).replace("allow_insecure_http=True", "--allow-insecure-http")
        raise UsageError(message) from None
    with vox:
        yield vox


@contextmanager
def _sandbox_client(connection: Connection, err: TextIO, prog: str) -> Iterator[Vox]:
    if connection.api_key_file is not None or connection.base_url is not None:
        raise UsageError("--sandbox cannot be combined with --api-key-file or --base-url")
    from ..testing import FakeVoxServer

    with FakeVoxServer() as server:
        seed_sandbox(server)
        err.write(
            f"{prog}: sandbox: a fake vox.ai server on {server.url} with "
            f"{len(SANDBOX_NUMBERS)} sample numbers; nothing leaves this machine\n"
        )
        with Vox(server.api_key, base_url=server.url) as vox:
            yield vox

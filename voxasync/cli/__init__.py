"""The ``vox`` command: undo scheduled terminations (and look at numbers) from a shell.

::

    vox numbers list [--status S ...] [--provider P] [--json]
    vox numbers get ID [--json]
    vox numbers revoke-cancel [ID ...] [--from-file FILE|-] [--all-pending]
                              [--concurrency N] [--rate R] [--journal FILE] [--dry-run]
                              [--json]
    vox numbers delete ID [--yes] [--json]
    vox numbers update ID (--memo TEXT | --clear-memo) [--json]
    vox numbers set-agents ID [--inbound AGENT_ID[@VERSION] | --clear-inbound]
                              [--outbound ... | --clear-outbound]
                              [--sms-inbound ... | --clear-sms-inbound] [--json]
    vox numbers sip ID [--address URI] [--auth-username NAME] [--auth-password-file PATH|-]
                       [--clear-auth] [--memo TEXT | --clear-memo] [--json]
    vox numbers register NUMBER --address URI [--auth-username NAME]
                                [--auth-password-file PATH|-] [--memo TEXT] [--json]
    vox numbers available [--line-type T] [--sort-by number|monthly_fee] [--json]
    vox demo

Exit status: 0 success, 1 a failure at the API, 2 bad usage, 4 the API refused the key
(401/403), 130 interrupted. Parsing lives in ``_parser`` (``_edit_parsers`` for the commands
that change numbers), the commands in ``_commands`` (``_edit_commands``; revoke-cancel and
its ``--journal`` in ``_revoke`` and ``_journal``), what they print in ``_output``, the
client (``--sandbox`` or the real API) in ``_sandbox``. Standard library only besides the
SDK, and imported only by the entry points, never by ``import voxasync``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from typing import IO, TextIO

from ._commands import run_command
from ._output import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_KEY_REFUSED,
    EXIT_OK,
    EXIT_USAGE,
    Streams,
    UsageError,
    error_code,
    error_json,
    failure_line,
)
from ._parser import KNOWN_STATUSES, build_parser
from ._sandbox import MISSING_KEY, SANDBOX_NUMBERS, sandbox_id, seed_sandbox

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_KEY_REFUSED",
    "EXIT_OK",
    "EXIT_USAGE",
    "KNOWN_STATUSES",
    "MISSING_KEY",
    "SANDBOX_NUMBERS",
    "UsageError",
    "build_parser",
    "error_code",
    "error_json",
    "failure_line",
    "main",
    "sandbox_id",
    "seed_sandbox",
]


def main(argv: Sequence[str] | None = None, *, prog: str = "vox") -> int:
    """Run the ``vox`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit
    status."""
    stdin, out, err = sys.stdin, sys.stdout, sys.stderr
    _tolerant(out)
    _tolerant(err)
    # Messages are prefixed "vox:" however the command was started; usage lines show `prog`.
    io = Streams(stdin, out, err, "vox")
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, and usage errors (status 2)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        return run_command(args, io)
    except UsageError as error:
        err.write(f"{io.prog}: error: {error}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write(f"\n{io.prog}: interrupted; requests already sent may have taken effect\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`vox numbers list | head`): stop quietly, and keep Python
        # from complaining again when it flushes stdout at exit.
        _silence_stdout()
        return EXIT_FAILED


def _tolerant(stream: TextIO) -> None:
    """Never crash on a character the terminal's encoding lacks (Korean API messages)."""
    reconfigure: Callable[..., None] | None = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # pragma: no cover - a detached or odd stream
            pass


def _silence_stdout() -> None:
    try:
        devnull: IO[str] = open(os.devnull, "w")  # noqa: SIM115 - lives until exit
        os.dup2(devnull.fileno(), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - not a real file
        pass

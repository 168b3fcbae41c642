"""The ``vox`` command: undo scheduled terminations (and look at numbers) from a shell.

::

    vox numbers list [--status S ...] [--provider P] [--json]
    vox numbers get ID [--json]
    vox numbers revoke-cancel [ID ...] [--from-file FILE|-] [--all-pending]
                              [--concurrency N] [--rate R] [--dry-run] [--json]
    vox numbers delete ID [--yes] [--json]
    vox demo

Global options (before or after the command): ``--sandbox`` runs against an in-process fake
server seeded with sample numbers; ``--api-key-file PATH`` and ``--base-url URL`` configure
the real API. The key is read from ``$VOX_API_KEY`` or that file only, never from a plain
argument, which would end up in shell history and in ``ps``.

Exit status: 0 when everything succeeded, 1 when something failed at the API (one line per
failure on stderr: id, error code, message), 2 on bad usage or configuration, 130 when
interrupted.

Standard library only (``argparse``, a hand-written progress line): the SDK gains no runtime
dependency, and this module is imported only by the entry points, never by
``import voxasync``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING, Any, Final, NoReturn, TextIO

import attrs

from ._console import Progress, format_ms, format_table, is_terminal, one_line
from ._paths import number_path
from ._sync import Vox
from ._version import __version__
from .errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    VoxError,
)
from .models import OrganizationTelephoneNumber, TelephoneNumberStatus

if TYPE_CHECKING:
    from .testing import FakeVoxServer

__all__ = ["SANDBOX_NUMBERS", "main", "sandbox_id", "seed_sandbox"]

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERRUPTED: Final = 130

KNOWN_STATUSES: Final = tuple(status.value for status in TelephoneNumberStatus)

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


class UsageError(Exception):
    """Bad input or configuration found after parsing: reported on stderr, exit status 2."""


# -- the sandbox --------------------------------------------------------------------------


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
        )
        ids.append(record["id"])
    return ids


# -- configuration ------------------------------------------------------------------------


def _read_text(option: str, path: str, stdin: TextIO | None = None) -> str:
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
    key = _read_text("--api-key-file", path).strip()
    if not key:
        raise UsageError(f"--api-key-file {path!r} is empty")
    if len(key.split()) != 1:
        raise UsageError(f"--api-key-file {path!r} must hold the key alone, on one line")
    return key


@contextmanager
def _open_client(args: argparse.Namespace, err: TextIO, prog: str) -> Iterator[Vox]:
    """The client a command runs with: the sandbox's, or one for the real API."""
    key_file: str | None = getattr(args, "api_key_file", None)
    base_url: str | None = getattr(args, "base_url", None)
    if getattr(args, "sandbox", False):
        if key_file is not None or base_url is not None:
            raise UsageError("--sandbox cannot be combined with --api-key-file or --base-url")
        from .testing import FakeVoxServer

        with FakeVoxServer() as server:
            seed_sandbox(server)
            err.write(
                f"{prog}: sandbox: a fake vox.ai server on {server.url} with "
                f"{len(SANDBOX_NUMBERS)} sample numbers; nothing leaves this machine\n"
            )
            with Vox(server.api_key, base_url=server.url) as vox:
                yield vox
        return

    key = _read_key_file(key_file) if key_file is not None else os.environ.get("VOX_API_KEY")
    if key is None or not key.strip():
        raise UsageError(MISSING_KEY)
    try:
        vox = Vox(key, base_url=base_url)
    except VoxError as exc:
        raise UsageError(str(exc)) from None
    with vox:
        yield vox


# -- output helpers -----------------------------------------------------------------------


def error_code(error: BaseException) -> str:
    """The short code a failure line shows: the API's ``error.code`` when it sent one."""
    if isinstance(error, APIStatusError):
        return error.code or f"HTTP_{error.status_code}"
    if isinstance(error, APITimeoutError):
        return "TIMEOUT"
    if isinstance(error, APIConnectionError):
        return "CONNECTION_ERROR"
    if isinstance(error, APIResponseValidationError):
        return "INVALID_RESPONSE"
    if isinstance(error, ValueError | TypeError):
        return "INVALID_ID"
    return "ERROR"


def failure_line(subject: str, error: BaseException) -> str:
    """``<subject>: <CODE> (HTTP <status>) <message>``, always a single line."""
    code = error_code(error)
    if isinstance(error, APIStatusError):
        return f"{subject}: {code} (HTTP {error.status_code}) {one_line(error.message)}"
    message = getattr(error, "message", None) or str(error)
    return f"{subject}: {code} {one_line(str(message))}"


def error_json(error: BaseException) -> dict[str, Any]:
    status = error.status_code if isinstance(error, APIStatusError) else None
    details = dict(error.details) if isinstance(error, APIStatusError) else {}
    message = getattr(error, "message", None) or str(error)
    return {
        "type": type(error).__name__,
        "code": error_code(error),
        "status_code": status,
        "message": str(message),
        "details": details,
    }


def _write_json(out: TextIO, payload: object) -> None:
    json.dump(payload, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _numbers_table(numbers: Sequence[OrganizationTelephoneNumber]) -> str:
    rows = [
        [n.id, n.number, str(n.provider), str(n.status), format_ms(n.end_at), n.memo or ""]
        for n in numbers
    ]
    return format_table(["ID", "NUMBER", "PROVIDER", "STATUS", "END_AT (UTC)", "MEMO"], rows)


def _record_lines(record: OrganizationTelephoneNumber) -> str:
    rows = []
    for field in attrs.fields(type(record)):
        value = getattr(record, field.name)
        if value is None:
            text = "-"
        elif field.name.endswith("_at") and isinstance(value, int):
            text = f"{value} ({format_ms(value)} UTC)"
        elif field.name.endswith("_agent"):
            text = f"{value.agent_id} ({value.agent_version})"
        else:
            text = one_line(str(value))
        rows.append([field.name, text])
    return format_table(["FIELD", "VALUE"], rows)


# -- commands -----------------------------------------------------------------------------


class _Streams:
    def __init__(self, stdin: TextIO, stdout: TextIO, stderr: TextIO, prog: str) -> None:
        self.stdin, self.out, self.err, self.prog = stdin, stdout, stderr, prog

    def fail(self, subject: str, error: BaseException) -> None:
        self.err.write(f"{self.prog}: {failure_line(subject, error)}\n")


def _statuses(values: Sequence[str] | None) -> list[str] | None:
    if not values:
        return None
    statuses: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part == "all":
                statuses.extend(KNOWN_STATUSES)
            elif part:
                statuses.append(part)
    if not statuses:
        raise UsageError("--status needs a status name")
    return list(dict.fromkeys(statuses))


def cmd_list(args: argparse.Namespace, vox: Vox, io: _Streams) -> int:
    statuses = _statuses(args.status)
    try:
        pager = vox.organization_telephone_numbers.list(
            status=statuses, provider=args.provider, limit=100
        )
    except (ValueError, TypeError) as error:  # checked before any request
        raise UsageError(str(error)) from None
    try:
        numbers = list(pager)
    except VoxError as error:
        io.fail("list", error)
        return EXIT_FAILED
    if args.json:
        _write_json(io.out, [attrs.asdict(n) for n in numbers])
        return EXIT_OK
    if not numbers:
        shown = ", ".join(statuses) if statuses else "active (the API's default)"
        io.err.write(f"{io.prog}: no numbers with status {shown}\n")
        if statuses is None:
            io.err.write(
                f"{io.prog}: hint: --status cancel_requested shows pending terminations, "
                "--status all shows every number\n"
            )
        return EXIT_OK
    io.out.write(_numbers_table(numbers) + "\n")
    return EXIT_OK


def cmd_get(args: argparse.Namespace, vox: Vox, io: _Streams) -> int:
    try:
        record = vox.organization_telephone_numbers.retrieve(args.id)
    except (VoxError, ValueError, TypeError) as error:
        io.fail(args.id, error)
        return EXIT_FAILED
    if args.json:
        _write_json(io.out, attrs.asdict(record))
    else:
        io.out.write(_record_lines(record) + "\n")
    return EXIT_OK


def check_delete(args: argparse.Namespace, io: _Streams) -> None:
    if not args.yes and not is_terminal(io.stdin):
        raise UsageError(
            "not deleting without confirmation: stdin is not a terminal, so pass --yes "
            "to request the termination"
        )


def cmd_delete(args: argparse.Namespace, vox: Vox, io: _Streams) -> int:
    numbers = vox.organization_telephone_numbers
    if not args.yes:
        try:
            current = numbers.retrieve(args.id)
        except (VoxError, ValueError, TypeError) as error:
            io.fail(args.id, error)
            return EXIT_FAILED
        when = (
            "its service ends with the paid period"
            if current.provider == "vox"
            else "its service ends immediately"
        )
        io.err.write(
            f"Request termination of {current.number} ({current.provider}, {current.status}, "
            f"id {current.id})? {when}. [y/N] "
        )
        io.err.flush()
        answer = io.stdin.readline().strip().lower()
        if answer not in ("y", "yes"):
            io.err.write(f"{io.prog}: aborted; nothing was changed\n")
            return EXIT_FAILED
    try:
        termination = numbers.delete(args.id)
    except (VoxError, ValueError, TypeError) as error:
        io.fail(args.id, error)
        return EXIT_FAILED
    if args.json:
        _write_json(io.out, attrs.asdict(termination))
    else:
        io.out.write(
            f"termination requested: {termination.id} {termination.number}; service ends "
            f"{format_ms(termination.effective_at)} UTC\n"
        )
    return EXIT_OK


def _ids_from_file(path: str, stdin: TextIO) -> list[str]:
    lines = _read_text("--from-file", path, stdin).splitlines()
    ids = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text:
            ids.append(text)
    return ids


def check_revoke_cancel(args: argparse.Namespace, io: _Streams) -> None:
    """Gather the ids given on the command line and in files, before any connection."""
    ids: list[str] = list(args.ids)
    for path in args.from_file or ():
        ids.extend(_ids_from_file(path, io.stdin))
    if not ids and not args.all_pending:
        raise UsageError("no ids: pass IDs, --from-file FILE (or - for stdin), or --all-pending")
    args.given_ids = ids


def cmd_revoke_cancel(args: argparse.Namespace, vox: Vox, io: _Streams) -> int:
    ids: list[str] = list(args.given_ids)
    if args.all_pending:
        # The whole list is read before any revoke: restoring numbers while paging through
        # "cancel_requested" would shift the pages under the cursor and skip some.
        try:
            ids.extend(
                n.id
                for n in vox.organization_telephone_numbers.list(
                    status="cancel_requested", limit=100
                )
            )
        except VoxError as error:
            io.fail("list", error)
            return EXIT_FAILED
    unique = list(dict.fromkeys(ids))
    if len(unique) < len(ids):
        io.err.write(f"{io.prog}: {len(ids) - len(unique)} repeated ids ignored\n")
    if not unique:
        io.err.write(f"{io.prog}: no numbers are pending termination; nothing to do\n")
        if args.json:
            _write_json(io.out, {"succeeded": 0, "failed": 0, "results": []})
        return EXIT_OK

    if args.dry_run:
        return _dry_run(unique, args, io)

    progress = Progress(len(unique), label="revoke-cancel", stream=io.err,
                        enabled=None if len(unique) > 1 else False)

    def on_result(_index: int, _number_id: str, result: object) -> None:
        progress.advance(ok=not isinstance(result, BaseException))

    progress.start()
    try:
        results = vox.organization_telephone_numbers.revoke_cancel_many(
            unique, concurrency=args.concurrency, rate_limit=args.rate, on_result=on_result
        )
    finally:
        progress.finish()

    restored = [r for r in results if isinstance(r, OrganizationTelephoneNumber)]
    failures = [(i, r) for i, r in zip(unique, results, strict=True) if isinstance(r, Exception)]
    if args.json:
        _write_json(io.out, {
            "succeeded": len(restored),
            "failed": len(failures),
            "results": [
                {"id": number_id, "ok": False, "error": error_json(result)}
                if isinstance(result, Exception)
                else {"id": number_id, "ok": True, "record": attrs.asdict(result)}
                for number_id, result in zip(unique, results, strict=True)
            ],
        })
    elif restored:
        rows = [[n.id, n.number, str(n.status)] for n in restored]
        io.out.write(format_table(["ID", "NUMBER", "STATUS"], rows) + "\n")
    for number_id, failure in failures:
        io.fail(number_id, failure)
    noun = "number" if len(unique) == 1 else "numbers"
    summary = f"restored {len(restored)} of {len(unique)} {noun}"
    io.err.write(f"{io.prog}: {summary}" + (f"; {len(failures)} failed\n" if failures else "\n"))
    return EXIT_FAILED if failures else EXIT_OK


def _dry_run(ids: list[str], args: argparse.Namespace, io: _Streams) -> int:
    valid: list[str] = []
    invalid: list[tuple[str, Exception]] = []
    for number_id in ids:
        try:
            number_path(number_id)
        except (ValueError, TypeError) as bad_id:
            invalid.append((number_id, bad_id))
        else:
            valid.append(number_id)
    if args.json:
        _write_json(io.out, {"dry_run": True, "ids": valid,
                             "invalid": [number_id for number_id, _ in invalid]})
    else:
        io.out.write("".join(f"{number_id}\n" for number_id in valid))
    for number_id, reason in invalid:
        io.fail(number_id, reason)
    io.err.write(
        f"{io.prog}: dry run: would revoke-cancel {len(valid)} of {len(ids)} ids; "
        "no change was requested\n"
    )
    return EXIT_FAILED if invalid else EXIT_OK


def cmd_demo(args: argparse.Namespace, io: _Streams) -> int:
    from ._demo import run_demo

    return run_demo(io.out, io.err)


# -- parsing ------------------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _positive_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(
            f"must be a positive number of requests per second, got {text!r}"
        )
    return value


class _RefusePlainKey(argparse.Action):
    """``--api-key VALUE`` is refused without echoing VALUE: keys on the command line leak."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> NoReturn:
        parser.error(
            f"{option_string} is not accepted: a key on the command line ends up in shell "
            "history and process lists. Set VOX_API_KEY, or pass --api-key-file PATH."
        )


def _global_options(*, top: bool) -> argparse.ArgumentParser:
    """Options that may come before or after the command.

    On subcommands their defaults are ``SUPPRESS``, so that a value given before the command
    is not overwritten by the subcommand's default.
    """
    parent = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    default: Any = None if top else argparse.SUPPRESS
    group = parent.add_argument_group("connection")
    group.add_argument(
        "--sandbox", action="store_true", default=False if top else argparse.SUPPRESS,
        help="run against an in-process fake server with sample numbers (no key, no network)",
    )
    group.add_argument(
        "--api-key-file", metavar="PATH", default=default,
        help="read the API key from this file (default: $VOX_API_KEY)",
    )
    group.add_argument(
        "--base-url", metavar="URL", default=default,
        help="API base URL (default: $VOX_BASE_URL, then https://client-api.tryvox.co)",
    )
    group.add_argument(
        "--api-key", "--key", nargs="?", action=_RefusePlainKey, default=argparse.SUPPRESS,
        help=argparse.SUPPRESS,
    )
    return parent


def build_parser(prog: str = "vox") -> argparse.ArgumentParser:
    common = _global_options(top=False)
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Manage vox.ai telephone numbers; above all, undo scheduled terminations.",
        epilog=(
            "The API key comes from $VOX_API_KEY or --api-key-file, never from an argument. "
            f"Try it with no key: {prog} --sandbox numbers list --status all"
        ),
        parents=[_global_options(top=True)],
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"voxasync {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="run the SDK end to end against an in-process fake server (no key)",
        description="Start a fake vox.ai server in this process, seed numbers pending "
        "termination, and revoke-cancel them from async code, the sync client and a batch.",
        allow_abbrev=False,
    )
    demo.set_defaults(handler=None, demo=True)

    numbers = commands.add_parser(
        "numbers", parents=[common], help="the organization's telephone numbers",
        allow_abbrev=False,
        description="List, inspect, restore and terminate the organization's numbers.",
    )
    actions = numbers.add_subparsers(dest="action", required=True, metavar="ACTION")

    listing = actions.add_parser(
        "list", parents=[common], allow_abbrev=False, help="list numbers",
        description="List numbers. The API shows only active numbers unless --status is given.",
    )
    listing.add_argument(
        "--status", action="extend", nargs="+", metavar="S",
        help=f"only these statuses ({', '.join(KNOWN_STATUSES)}, or all); repeat or give "
        "several",
    )
    listing.add_argument("--provider", metavar="P", help="only this provider (vox or custom)")
    listing.add_argument("--json", action="store_true", help="print a JSON array of records")
    listing.set_defaults(handler=cmd_list)

    get = actions.add_parser(
        "get", parents=[common], allow_abbrev=False, help="show one number",
        description="Show one number's record.",
    )
    get.add_argument("id", metavar="ID", help="the number's record id (not the phone number)")
    get.add_argument("--json", action="store_true", help="print the record as JSON")
    get.set_defaults(handler=cmd_get)

    revoke = actions.add_parser(
        "revoke-cancel", parents=[common], allow_abbrev=False,
        help="cancel scheduled terminations (restore numbers)",
        description="Cancel the scheduled termination of one or many numbers; they return to "
        "active. Ids come from the arguments, --from-file, and/or --all-pending.",
        epilog="Exit status: 0 if every number was restored, 1 if any failed, 2 on bad usage.",
    )
    revoke.add_argument("ids", nargs="*", metavar="ID", help="record ids of numbers to restore")
    revoke.add_argument(
        "--from-file", action="append", metavar="FILE",
        help="read ids from FILE, one per line (# starts a comment); - reads stdin",
    )
    revoke.add_argument(
        "--all-pending", action="store_true",
        help="restore every number whose status is cancel_requested",
    )
    revoke.add_argument(
        "--concurrency", type=_positive_int, default=8, metavar="N",
        help="most requests in flight at once (default: 8)",
    )
    revoke.add_argument(
        "--rate", type=_positive_rate, default=None, metavar="R",
        help="most requests started per second, retries included (default: no cap)",
    )
    revoke.add_argument(
        "--dry-run", action="store_true",
        help="print the ids that would be restored and change nothing (no revoke-cancel is "
        "sent; --all-pending still reads the list)",
    )
    revoke.add_argument("--json", action="store_true", help="print results as JSON")
    revoke.set_defaults(handler=cmd_revoke_cancel, check=check_revoke_cancel)

    delete = actions.add_parser(
        "delete", parents=[common], allow_abbrev=False,
        help="request termination of a number",
        description="Request termination: a vox number ends with its paid period (and can be "
        "restored until then with revoke-cancel); a custom number ends at once.",
    )
    delete.add_argument("id", metavar="ID", help="the number's record id")
    delete.add_argument(
        "--yes", "-y", action="store_true",
        help="do not ask for confirmation (required when stdin is not a terminal)",
    )
    delete.add_argument("--json", action="store_true", help="print the termination as JSON")
    delete.set_defaults(handler=cmd_delete, check=check_delete)
    return parser


def _tolerant(stream: TextIO) -> None:
    """Never crash on a character the terminal's encoding lacks (Korean API messages)."""
    reconfigure: Callable[..., None] | None = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors="backslashreplace")
        except (ValueError, OSError):  # pragma: no cover - a detached or odd stream
            pass


def main(argv: Sequence[str] | None = None, *, prog: str = "vox") -> int:
    """Run the ``vox`` command with ``argv`` (default: ``sys.argv[1:]``); return the exit
    status."""
    stdin, out, err = sys.stdin, sys.stdout, sys.stderr
    _tolerant(out)
    _tolerant(err)
    # Messages are prefixed "vox:" however the command was started; usage lines show `prog`.
    io = _Streams(stdin, out, err, "vox")
    parser = build_parser(prog)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, and usage errors (status 2)
        return exit_.code if isinstance(exit_.code, int) else EXIT_USAGE
    try:
        if getattr(args, "demo", False):
            return cmd_demo(args, io)
        check: Callable[[argparse.Namespace, _Streams], None] | None = getattr(
            args, "check", None
        )
        if check is not None:
            check(args, io)  # usage errors surface before any connection is made
        handler: Callable[[argparse.Namespace, Vox, _Streams], int] = args.handler
        with _open_client(args, err, io.prog) as vox:
            return handler(args, vox, io)
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


def _silence_stdout() -> None:
    try:
        devnull: IO[str] = open(os.devnull, "w")  # noqa: SIM115 - lives until exit
        os.dup2(devnull.fileno(), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - not a real file
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

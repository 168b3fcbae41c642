"""The commands of ``vox``, and the table that finds them by name.

A command is read, then run. ``read`` turns the parsed arguments into a frozen record of the
command's inputs; it runs before any connection is made, so its usage errors come first,
and it never changes ``args``. ``run`` does the work with a client and returns the exit
status. To add a command: its parser in ``_parser.py``, its inputs, ``read`` and ``run``
here, and a row in :data:`COMMANDS`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TextIO, TypeVar

from .._batch import RevokeCancelResult
from .._console import Progress, format_ms, is_terminal
from .._paths import number_path
from .._sync import Vox
from ..errors import VoxError
from ..models import OrganizationTelephoneNumber
from ._edit_commands import (
    AvailableInputs,
    RegisterInputs,
    SetAgentsInputs,
    SipInputs,
    UpdateInputs,
    run_available,
    run_register,
    run_set_agents,
    run_sip,
    run_update,
)
from ._output import (
    EXIT_FAILED,
    EXIT_OK,
    Streams,
    UsageError,
    error_json,
    numbers_table,
    record_lines,
    restored_table,
    write_json,
)
from ._parser import KNOWN_STATUSES
from ._sandbox import Connection, open_client, read_text

InputsT = TypeVar("InputsT")


@dataclass(frozen=True)
class Command(Generic[InputsT]):
    """A command that talks to the API: ``read`` its inputs, then ``run`` with a client."""

    read: Callable[[argparse.Namespace, Streams], InputsT]
    run: Callable[[InputsT, Vox, Streams], int]


# -- numbers list -------------------------------------------------------------------------


@dataclass(frozen=True)
class ListInputs:
    status: tuple[str, ...] | None
    provider: str | None
    json: bool

    @classmethod
    def read(cls, args: argparse.Namespace, io: Streams) -> ListInputs:
        status = tuple(args.status) if args.status is not None else None
        return cls(status=status, provider=args.provider, json=args.json)


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


def run_list(inputs: ListInputs, vox: Vox, io: Streams) -> int:
    statuses = _statuses(inputs.status)
    try:
        pager = vox.organization_telephone_numbers.list(
            status=statuses, provider=inputs.provider, limit=100
        )
    except (ValueError, TypeError) as error:  # checked before any request
        raise UsageError(str(error)) from None
    try:
        numbers = list(pager)
    except VoxError as error:
        io.fail("list", error)
        return EXIT_FAILED
    if inputs.json:
        write_json(io.out, [n.to_dict() for n in numbers])
        return EXIT_OK
    if not numbers:
        shown = ", ".join(statuses) if statuses else "active (the API's default)"
        io.note(f"no numbers with status {shown}")
        if statuses is None:
            io.note(
                "hint: --status cancel_requested shows pending terminations, "
                "--status all shows every number"
            )
        return EXIT_OK
    io.out.write(numbers_table(numbers) + "\n")
    return EXIT_OK


# -- numbers get --------------------------------------------------------------------------


@dataclass(frozen=True)
class GetInputs:
    id: str
    json: bool

    @classmethod
    def read(cls, args: argparse.Namespace, io: Streams) -> GetInputs:
        return cls(id=args.id, json=args.json)


def run_get(inputs: GetInputs, vox: Vox, io: Streams) -> int:
    try:
        record = vox.organization_telephone_numbers.retrieve(inputs.id)
    except (VoxError, ValueError, TypeError) as error:
        io.fail(inputs.id, error)
        return EXIT_FAILED
    if inputs.json:
        write_json(io.out, record.to_dict())
    else:
        io.out.write(record_lines(record) + "\n")
    return EXIT_OK


# -- numbers delete -----------------------------------------------------------------------


@dataclass(frozen=True)
class DeleteInputs:
    id: str
    yes: bool
    json: bool

    @classmethod
    def read(cls, args: argparse.Namespace, io: Streams) -> DeleteInputs:
        if not args.yes and not is_terminal(io.stdin):
            raise UsageError(
                "not deleting without confirmation: stdin is not a terminal, so pass --yes "
                "to request the termination"
            )
        return cls(id=args.id, yes=args.yes, json=args.json)


def _refused(number_id: str, vox: Vox, io: Streams) -> bool:
    """Ask on the terminal; True, once reported, when the deletion must not go on."""
    try:
        current = vox.organization_telephone_numbers.retrieve(number_id)
    except (VoxError, ValueError, TypeError) as error:
        io.fail(number_id, error)
        return True
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
    if io.stdin.readline().strip().lower() in ("y", "yes"):
        return False
    io.note("aborted; nothing was changed")
    return True


def run_delete(inputs: DeleteInputs, vox: Vox, io: Streams) -> int:
    if not inputs.yes and _refused(inputs.id, vox, io):
        return EXIT_FAILED
    try:
        termination = vox.organization_telephone_numbers.delete(inputs.id)
    except (VoxError, ValueError, TypeError) as error:
        io.fail(inputs.id, error)
        return EXIT_FAILED
    if inputs.json:
        write_json(io.out, termination.to_dict())
    else:
        io.out.write(
            f"termination requested: {termination.id} {termination.number}; service ends "
            f"{format_ms(termination.effective_at)} UTC\n"
        )
    return EXIT_OK


# -- numbers revoke-cancel ----------------------------------------------------------------


@dataclass(frozen=True)
class RevokeCancelInputs:
    ids: tuple[str, ...]  # from the arguments and --from-file, in order, repeats kept
    all_pending: bool
    concurrency: int
    rate: float | None
    dry_run: bool
    json: bool

    @classmethod
    def read(cls, args: argparse.Namespace, io: Streams) -> RevokeCancelInputs:
        """Gather the ids given on the command line and in files, before any connection."""
        ids: list[str] = list(args.ids)
        for path in args.from_file or ():
            ids.extend(_ids_from_file(path, io.stdin))
        if not ids and not args.all_pending:
            raise UsageError(
                "no ids: pass IDs, --from-file FILE (or - for stdin), or --all-pending"
            )
        return cls(
            ids=tuple(ids), all_pending=args.all_pending, concurrency=args.concurrency,
            rate=args.rate, dry_run=args.dry_run, json=args.json,
        )


def _ids_from_file(path: str, stdin: TextIO) -> list[str]:
    lines = read_text("--from-file", path, stdin).splitlines()
    ids = []
    for line in lines:
        text = line.split("#", 1)[0].strip()
        if text:
            ids.append(text)
    return ids


def run_revoke_cancel(inputs: RevokeCancelInputs, vox: Vox, io: Streams) -> int:
    ids = list(inputs.ids)
    if inputs.all_pending:
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
        io.note(f"{len(ids) - len(unique)} repeated ids ignored")
    if not unique:
        io.note("no numbers are pending termination; nothing to do")
        if inputs.json:
            write_json(io.out, {"succeeded": 0, "failed": 0, "results": []})
        return EXIT_OK
    if inputs.dry_run:
        return _dry_run(unique, inputs.json, io)
    results = _revoke_with_progress(unique, inputs, vox, io)
    return _report_revoked(unique, results, inputs.json, io)


def _revoke_with_progress(
    ids: list[str], inputs: RevokeCancelInputs, vox: Vox, io: Streams
) -> list[RevokeCancelResult]:
    progress = Progress(len(ids), label="revoke-cancel", stream=io.err,
                        enabled=None if len(ids) > 1 else False)

    def on_result(_index: int, _number_id: str, result: object) -> None:
        progress.advance(ok=not isinstance(result, BaseException))

    progress.start()
    try:
        return vox.organization_telephone_numbers.revoke_cancel_many(
            ids, concurrency=inputs.concurrency, rate_limit=inputs.rate, on_result=on_result
        )
    finally:
        progress.finish()


def _report_revoked(
    ids: list[str], results: list[RevokeCancelResult], as_json: bool,
    io: Streams,
) -> int:
    restored = [r for r in results if isinstance(r, OrganizationTelephoneNumber)]
    failures = [(i, r) for i, r in zip(ids, results, strict=True) if isinstance(r, Exception)]
    if as_json:
        write_json(io.out, {
            "succeeded": len(restored),
            "failed": len(failures),
            "results": [
                {"id": number_id, "ok": False, "error": error_json(result)}
                if isinstance(result, Exception)
                else {"id": number_id, "ok": True, "record": result.to_dict()}
                for number_id, result in zip(ids, results, strict=True)
            ],
        })
    elif restored:
        io.out.write(restored_table(restored) + "\n")
    for number_id, failure in failures:
        io.fail(number_id, failure)
    noun = "number" if len(ids) == 1 else "numbers"
    summary = f"restored {len(restored)} of {len(ids)} {noun}"
    io.note(summary + (f"; {len(failures)} failed" if failures else ""))
    return EXIT_FAILED if failures else EXIT_OK


def _dry_run(ids: list[str], as_json: bool, io: Streams) -> int:
    valid: list[str] = []
    invalid: list[tuple[str, Exception]] = []
    for number_id in ids:
        try:
            number_path(number_id)
        except (ValueError, TypeError) as bad_id:
            invalid.append((number_id, bad_id))
        else:
            valid.append(number_id)
    if as_json:
        write_json(io.out, {"dry_run": True, "ids": valid,
                            "invalid": [number_id for number_id, _ in invalid]})
    else:
        io.out.write("".join(f"{number_id}\n" for number_id in valid))
    for number_id, reason in invalid:
        io.fail(number_id, reason)
    io.note(
        f"dry run: would revoke-cancel {len(valid)} of {len(ids)} ids; "
        "no change was requested"
    )
    return EXIT_FAILED if invalid else EXIT_OK


# -- demo, and the table ------------------------------------------------------------------


def run_demo(io: Streams) -> int:
    from .._demo import run_demo as demo

    return demo(io.out, io.err)


#: Commands that talk to the API, by ``command_name`` (set by the parser).
COMMANDS: Final[Mapping[str, Command[Any]]] = {
    "numbers list": Command(ListInputs.read, run_list),
    "numbers get": Command(GetInputs.read, run_get),
    "numbers revoke-cancel": Command(RevokeCancelInputs.read, run_revoke_cancel),
    "numbers delete": Command(DeleteInputs.read, run_delete),
    "numbers update": Command(UpdateInputs.read, run_update),
    "numbers set-agents": Command(SetAgentsInputs.read, run_set_agents),
    "numbers sip": Command(SipInputs.read, run_sip),
    "numbers register": Command(RegisterInputs.read, run_register),
    "numbers available": Command(AvailableInputs.read, run_available),
}

#: Commands that need no client.
OFFLINE_COMMANDS: Final[Mapping[str, Callable[[Streams], int]]] = {"demo": run_demo}


def run_command(args: argparse.Namespace, io: Streams) -> int:
    """Run the command ``args`` names: inputs read first, then the client opened."""
    name: str = args.command_name
    offline = OFFLINE_COMMANDS.get(name)
    if offline is not None:
        return offline(io)
    command = COMMANDS[name]
    inputs = command.read(args, io)  # usage errors surface before any connection is made
    with open_client(Connection.from_args(args), io.err, io.prog) as vox:
        return command.run(inputs, vox, io)

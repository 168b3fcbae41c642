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
from typing import Any, Final, Generic, TypeVar

from .._console import format_ms, is_terminal
from .._sync import Vox
from ..errors import VoxError
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
    numbers_table,
    record_lines,
    write_json,
)
from ._parser import KNOWN_STATUSES
from ._revoke import RevokeCancelInputs, exit_status, run_revoke_cancel
from ._sandbox import Connection, open_client

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
        return exit_status(error)
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
        return exit_status(error)
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


def _refused(number_id: str, vox: Vox, io: Streams) -> int:
    """Ask on the terminal; the exit status, once reported, when the deletion must not go
    on (0 when it may)."""
    try:
        current = vox.organization_telephone_numbers.retrieve(number_id)
    except (VoxError, ValueError, TypeError) as error:
        io.fail(number_id, error)
        return exit_status(error)
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
        return EXIT_OK
    io.note("aborted; nothing was changed")
    return EXIT_FAILED


def run_delete(inputs: DeleteInputs, vox: Vox, io: Streams) -> int:
    if not inputs.yes and (refused := _refused(inputs.id, vox, io)):
        return refused
    try:
        termination = vox.organization_telephone_numbers.delete(inputs.id)
    except (VoxError, ValueError, TypeError) as error:
        io.fail(inputs.id, error)
        return exit_status(error)
    if inputs.json:
        write_json(io.out, termination.to_dict())
    else:
        io.out.write(
            f"termination requested: {termination.id} {termination.number}; service ends "
            f"{format_ms(termination.effective_at)} UTC\n"
        )
    return EXIT_OK


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

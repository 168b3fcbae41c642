"""The ``vox numbers`` commands that change numbers, and the list of numbers for sale.

Each reads its inputs first and checks them with the SDK's own argument checks, so that bad
input is a usage error (exit status 2) before any connection is made. A SIP password is
read from a file or stdin, kept out of every repr, and never printed.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .._sync import Vox
from .._types import NOT_GIVEN, NotGiven
from ..errors import VoxError
from ..models import AgentMapping, OrganizationTelephoneNumber
from ..resources._bodies import agents_body, available_params, memo_body, register_body, sip_body
from ._output import (
    EXIT_FAILED,
    EXIT_OK,
    Streams,
    UsageError,
    available_table,
    record_lines,
    write_json,
)
from ._sandbox import read_text

Fields = dict[str, Any]


def _checked(check: Callable[..., object], **fields: Any) -> None:
    """Run an SDK argument check; its refusal becomes a usage error."""
    try:
        check(**fields)
    except (ValueError, TypeError) as error:
        raise UsageError(str(error)) from None


def _password(args: argparse.Namespace, io: Streams) -> str | NotGiven:
    path = args.auth_password_file
    if path is None:
        return NOT_GIVEN
    password = read_text("--auth-password-file", path, io.stdin).splitlines()
    if not password or not password[0]:
        raise UsageError(f"--auth-password-file {path!r} holds no password on its first line")
    return password[0]


def _show(record: OrganizationTelephoneNumber, as_json: bool, io: Streams) -> int:
    if as_json:
        write_json(io.out, record.to_dict())
    else:
        io.out.write(record_lines(record) + "\n")
    return EXIT_OK


def _change(
    subject: str, call: Callable[[], OrganizationTelephoneNumber], as_json: bool, io: Streams
) -> int:
    try:
        record = call()
    except (VoxError, ValueError, TypeError) as error:
        io.fail(subject, error)
        return EXIT_FAILED
    return _show(record, as_json, io)


# -- numbers update -----------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateInputs:
    id: str
    memo: str | None
    json: bool

    @classmethod
    def read(cls, args: argparse.Namespace, io: Streams) -> UpdateInputs:
        memo = None if args.clear_memo else args.memo
        _checked(memo_body, memo=memo)
        return cls(id=args.id, memo=memo, json=args.json)


def run_update(inputs: UpdateInputs, vox: Vox, io: Streams) -> int:
    numbers = vox.organization_telephone_numbers
    return _change(inputs.id, lambda: numbers.update(inputs.id, memo=inputs.memo),
                   inputs.json, io)


# -- numbers set-agents -------------------------------------------------------------------


def _agent(option: str, text: str | None, clear: bool) -> AgentMapping | NotGiven | None:
    if clear:
        return None
    if text is None:
        return NOT_GIVEN
    agent_id, at, version = text.partition("@")
    if not agent_id.strip() or (at and not version):
        raise UsageError(f"--{option} needs AGENT_ID or AGENT_ID@VERSION, got {text!r}")
    return AgentMapping(agent_id=agent_id, agent_version=version or "current")


@dataclass(frozen=True)
class SetAgentsInputs:
    id: str
    agents: Fields  # inbound_agent=..., for the agents named (None unmaps)
    json: bool

    @classmethod
    def read(cls, args: argparse.Namespace, io: Streams) -> SetAgentsInputs:
        agents = {
            "inbound_agent": _agent("inbound", args.inbound, args.clear_inbound),
            "outbound_agent": _agent("outbound", args.outbound, args.clear_outbound),
            "sms_inbound_agent": _agent("sms-inbound", args.sms_inbound, args.clear_sms_inbound),
        }
        if all(value is NOT_GIVEN for value in agents.values()):
            raise UsageError(
                "nothing to change: pass --inbound, --outbound or --sms-inbound "
                "(AGENT_ID[@VERSION]), or a --clear-... option"
            )
        _checked(agents_body, **agents)
        given = {name: value for name, value in agents.items() if value is not NOT_GIVEN}
        return cls(id=args.id, agents=given, json=args.json)


def run_set_agents(inputs: SetAgentsInputs, vox: Vox, io: Streams) -> int:
    numbers = vox.organization_telephone_numbers
    return _change(inputs.id, lambda: numbers.update_agents(inputs.id, **inputs.agents),
                   inputs.json, io)


# -- numbers sip --------------------------------------------------------------------------


@dataclass(frozen=True)
class SipInputs:
    id: str
    settings: Fields = field(repr=False)  # holds the password
    json: bool = False

    @classmethod
    def read(cls, args: argparse.Namespace, io: Streams) -> SipInputs:
        settings: Fields = {}
        if args.address is not None:
            settings["address"] = args.address
        if args.auth_username is not None:
            settings["auth_username"] = args.auth_username
        if args.clear_auth:
            if args.auth_username is not None or args.auth_password_file is not None:
                raise UsageError("--clear-auth cannot be combined with --auth-username or "
                                 "--auth-password-file")
            settings.update(auth_username=None, auth_password=None)
        password = _password(args, io)
        if password is not NOT_GIVEN:
            settings["auth_password"] = password
        if args.memo is not None or args.clear_memo:
            settings["memo"] = None if args.clear_memo else args.memo
        if not settings:
            raise UsageError("nothing to change: pass --address, --auth-username, "
                             "--auth-password-file, --clear-auth, --memo or --clear-memo")
        if {"address", "auth_username"} & set(settings) and "auth_password" not in settings:
            raise UsageError("the API needs the password again when --address or "
                             "--auth-username changes: add --auth-password-file PATH (or -)")
        _checked(sip_body, **{**dict.fromkeys(_SIP_FIELDS, NOT_GIVEN), **settings})
        return cls(id=args.id, settings=settings, json=args.json)


_SIP_FIELDS = ("address", "auth_username", "auth_password", "memo")


def run_sip(inputs: SipInputs, vox: Vox, io: Streams) -> int:
    numbers = vox.organization_telephone_numbers
    return _change(inputs.id, lambda: numbers.update_sip(inputs.id, **inputs.settings),
                   inputs.json, io)


# -- numbers register ---------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterInputs:
    fields: Fields = field(repr=False)  # holds the password
    json: bool = False

    @classmethod
    def read(cls, args: argparse.Namespace, io: Streams) -> RegisterInputs:
        password = _password(args, io)
        fields: Fields = {
            "number": args.number,
            "address": args.address,
            "auth_username": args.auth_username,
            "auth_password": None if password is NOT_GIVEN else password,
            "memo": args.memo,
        }
        _checked(register_body, **fields)
        return cls(fields=fields, json=args.json)


def run_register(inputs: RegisterInputs, vox: Vox, io: Streams) -> int:
    numbers = vox.telephone_numbers
    return _change(inputs.fields["number"], lambda: numbers.register(**inputs.fields),
                   inputs.json, io)


# -- numbers available --------------------------------------------------------------------


@dataclass(frozen=True)
class AvailableInputs:
    line_type: str | None
    sort_by: str | None
    json: bool

    @classmethod
    def read(cls, args: argparse.Namespace, io: Streams) -> AvailableInputs:
        _checked(available_params, line_type=args.line_type, limit=None, sort_by=args.sort_by,
                 sort_order=None)
        return cls(line_type=args.line_type, sort_by=args.sort_by, json=args.json)


def run_available(inputs: AvailableInputs, vox: Vox, io: Streams) -> int:
    pager = vox.telephone_numbers.list_available(
        line_type=inputs.line_type, limit=100,
        sort_by="monthly_fee" if inputs.sort_by == "monthly_fee" else None,
    )
    try:
        numbers = list(pager)
    except VoxError as error:
        io.fail("available", error)
        return EXIT_FAILED
    if inputs.json:
        write_json(io.out, [n.to_dict() for n in numbers])
        return EXIT_OK
    if not numbers:
        io.note("no numbers for sale" + (f" of type {inputs.line_type}" if inputs.line_type
                                          else ""))
        return EXIT_OK
    io.out.write(available_table(numbers) + "\n")
    io.note("buying a number goes through the vox.ai dashboard")
    return EXIT_OK

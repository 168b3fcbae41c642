"""What the ``vox`` command prints: exit statuses, failure lines, tables, JSON.

Exit status: 0 when everything succeeded, 1 when something failed at the API (one line per
failure on stderr: id, error code, message), 2 on bad usage or configuration, 4 when the API
refused the key (401/403), 130 when interrupted.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, TextIO

import attrs

from .._console import format_ms, format_table, one_line
from ..errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
)
from ..models import AvailableTelephoneNumber, OrganizationTelephoneNumber

EXIT_OK: Final = 0
EXIT_FAILED: Final = 1
EXIT_USAGE: Final = 2
EXIT_KEY_REFUSED: Final = 4
EXIT_INTERRUPTED: Final = 130


class UsageError(Exception):
    """Bad input or configuration found after parsing: reported on stderr, exit status 2."""


@dataclass(frozen=True)
class Streams:
    """Where a command reads and writes; ``prog`` prefixes every message (``vox:``)."""

    stdin: TextIO
    out: TextIO
    err: TextIO
    prog: str

    def fail(self, subject: str, error: BaseException) -> None:
        """Report one failure: a single line on stderr."""
        self.err.write(f"{self.prog}: {failure_line(subject, error)}\n")

    def note(self, message: str) -> None:
        """A ``<prog>: <message>`` line on stderr."""
        self.err.write(f"{self.prog}: {message}\n")


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
    """A failure as the JSON object ``--json`` output carries."""
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


def write_json(out: TextIO, payload: object) -> None:
    json.dump(payload, out, indent=2, ensure_ascii=False)
    out.write("\n")


def numbers_table(numbers: Sequence[OrganizationTelephoneNumber]) -> str:
    rows = [
        [n.id, n.number, str(n.provider), str(n.status), format_ms(n.end_at), n.memo or ""]
        for n in numbers
    ]
    return format_table(["ID", "NUMBER", "PROVIDER", "STATUS", "END_AT (UTC)", "MEMO"], rows)


def restored_table(numbers: Sequence[OrganizationTelephoneNumber]) -> str:
    rows = [[n.id, n.number, str(n.status)] for n in numbers]
    return format_table(["ID", "NUMBER", "STATUS"], rows)


def available_table(numbers: Sequence[AvailableTelephoneNumber]) -> str:
    """Numbers for sale; SMS as ``send/recv``, ``-`` for what the number cannot do."""
    rows = [
        [
            n.id, n.number, str(n.line_type),
            "-" if n.monthly_fee is None else f"{n.monthly_fee:,}",
            f"{'send' if n.sms_capable.send else '-'}/{'recv' if n.sms_capable.recv else '-'}",
        ]
        for n in numbers
    ]
    return format_table(["ID", "NUMBER", "LINE_TYPE", "MONTHLY_FEE (KRW)", "SMS"], rows)


def record_lines(record: OrganizationTelephoneNumber) -> str:
    """One record as a FIELD/VALUE table: times also in UTC, agents as ``id (version)``."""
    rows = []
    for field in attrs.fields(type(record)):
        if field.name == "extra":
            continue  # its fields follow, after the known ones
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
    rows += [[name, one_line(json.dumps(value, ensure_ascii=False))]
             for name, value in record.extra.items()]
    return format_table(["FIELD", "VALUE"], rows)

"""``--journal FILE``: one JSON line per settled id, so that a run that dies can be resumed.

Each line is ``{"id", "outcome", "code", "status", "time"}``: ``outcome`` is ``"restored"``
or ``"failed"``, ``code`` the error code (``null`` when restored), ``status`` the HTTP
status of the answer (``null`` when there was none), ``time`` when it settled (UTC, ISO
8601). A line is written and flushed as each id settles. The file is only ever appended
to: the last line for an id is its final outcome. A line cut short by a kill is ignored.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Final, TextIO

from ..errors import APIStatusError
from ._output import UsageError, error_code

RESTORED: Final = "restored"
FAILED: Final = "failed"


def restored_ids(path: str) -> tuple[set[str], int]:
    """The ids whose last line says restored, and how many lines could not be read."""
    last: dict[str, str] = {}
    unreadable = 0
    try:
        with open(path, encoding="utf-8") as file:
            for line in file:
                entry = _parse(line)
                if entry is None:
                    unreadable += bool(line.strip())
                    continue
                last[entry["id"]] = entry["outcome"]
    except FileNotFoundError:
        return set(), 0
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "unreadable"
        raise UsageError(f"cannot read --journal {path!r}: {reason}") from None
    return {number_id for number_id, outcome in last.items() if outcome == RESTORED}, unreadable


def _parse(line: str) -> dict[str, Any] | None:
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), str):
        return None
    return entry


class Journal:
    """The open journal of this run: :meth:`record` writes and flushes one line."""

    def __init__(self, file: TextIO | None) -> None:
        self._file = file

    def record(self, number_id: str, result: object, *, already: bool = False) -> None:
        if self._file is None:
            return
        entry: dict[str, Any] = {"id": number_id}
        if isinstance(result, BaseException):
            entry.update(outcome=FAILED, code=error_code(result))
            entry["status"] = result.status_code if isinstance(result, APIStatusError) else None
        else:
            entry.update(outcome=RESTORED, code=None, status=200)
            if already:
                entry["note"] = "already active: restored by an earlier run"
        entry["time"] = dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
        self._file.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self._file.flush()


@contextmanager
def open_journal(path: str | None) -> Iterator[Journal]:
    """Append to the journal at ``path`` (none: a journal that writes nothing)."""
    if path is None:
        yield Journal(None)
        return
    try:
        file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise UsageError(f"cannot write --journal {path!r}: {exc.strerror}") from None
    try:
        if file.tell() > 0:
            _end_a_cut_line(path, file)
        yield Journal(file)
    finally:
        file.close()


def _end_a_cut_line(path: str, file: TextIO) -> None:
    """A run killed mid-line left no newline: start this run's lines on a line of their own."""
    with open(path, "rb") as raw:
        raw.seek(-1, os.SEEK_END)
        if raw.read(1) != b"\n":
            file.write("\n")
            file.flush()

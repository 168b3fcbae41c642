"""``vox numbers revoke-cancel``: restore many numbers, streamed, journaled, resumable.

The ids are sent through ``revoke_cancel_iter`` and each outcome is handled as it settles:
written to the ``--journal`` (if any), counted on the progress line. The first Ctrl-C stops
sending and lets the requests in flight settle (and be journaled); a second one aborts at
once. Started again with the same journal, the command skips the ids it records as
restored, and counts as restored an id the server says is not pending termination while
the number is active (an earlier run restored it, but was killed before writing the line).
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

from .._console import Progress
from .._paths import number_path
from .._sync import Vox
from ..errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    PermissionDeniedError,
    UnprocessableEntityError,
    VoxError,
)
from ..models import OrganizationTelephoneNumber, TelephoneNumberStatus
from ._journal import Journal, open_journal, restored_ids
from ._output import (
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_KEY_REFUSED,
    EXIT_OK,
    Streams,
    UsageError,
    error_json,
    failure_line,
    restored_table,
    write_json,
)
from ._sandbox import read_text

#: Refusals that may mean "an earlier run already restored this one".
_NOT_PENDING = (ConflictError, BadRequestError, UnprocessableEntityError)
_KEY_REFUSED = (AuthenticationError, PermissionDeniedError)


@dataclass(frozen=True)
class RevokeCancelInputs:
    ids: tuple[str, ...]  # from the arguments and --from-file, in order, repeats kept
    all_pending: bool
    concurrency: int
    rate: float | None
    dry_run: bool
    json: bool
    journal: str | None = None

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
            rate=args.rate, dry_run=args.dry_run, json=args.json, journal=args.journal,
        )


def _ids_from_file(path: str, stdin: TextIO) -> list[str]:
    lines = read_text("--from-file", path, stdin).splitlines()
    return [text for line in lines if (text := line.split("#", 1)[0].strip())]


@dataclass
class _Tally:
    """What the run did, by input position of the ids it was to send."""

    total: int
    results: dict[int, tuple[str, object]] = field(default_factory=dict)
    already: int = 0  # restored by an earlier run, found active now
    refusal: APIStatusError | None = None
    interrupted: bool = False

    def add(self, index: int, number_id: str, result: object) -> None:
        self.results[index] = (number_id, result)
        if isinstance(result, _KEY_REFUSED) and self.refusal is None:
            self.refusal = result

    def restored(self) -> list[OrganizationTelephoneNumber]:
        return [r for _, r in self.ordered() if isinstance(r, OrganizationTelephoneNumber)]

    def failures(self) -> list[tuple[str, BaseException]]:
        return [(i, r) for i, r in self.ordered() if isinstance(r, BaseException)]

    def ordered(self) -> list[tuple[str, object]]:
        return [self.results[index] for index in sorted(self.results)]


class _StoppableIds:
    """The ids, handed out on the client's loop until :attr:`stop` is set (Ctrl-C)."""

    def __init__(self, ids: list[str]) -> None:
        self._ids = ids
        self.taken = 0
        self.stop = threading.Event()

    def __aiter__(self) -> _StoppableIds:
        return self

    async def __anext__(self) -> str:
        if self.stop.is_set() or self.taken >= len(self._ids):
            raise StopAsyncIteration
        self.taken += 1
        return self._ids[self.taken - 1]


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
            return exit_status(error)
    unique = list(dict.fromkeys(ids))
    if len(unique) < len(ids):
        io.note(f"{len(ids) - len(unique)} repeated ids ignored")
    unique = _skip_journaled(unique, inputs.journal, io)
    if not unique:
        io.note("no numbers are pending termination; nothing to do")
        if inputs.json:
            write_json(io.out, {"succeeded": 0, "failed": 0, "results": []})
        return EXIT_OK
    if inputs.dry_run:
        return _dry_run(unique, inputs.json, io)
    with open_journal(inputs.journal) as journal:
        tally = _revoke_all(unique, inputs, vox, io, journal)
    return _report(tally, inputs.json, io)


def _skip_journaled(ids: list[str], journal: str | None, io: Streams) -> list[str]:
    if journal is None:
        return ids
    done, unreadable = restored_ids(journal)
    if unreadable:
        io.note(f"journal: {unreadable} unreadable lines ignored (a run cut short?)")
    todo = [number_id for number_id in ids if number_id not in done]
    if len(todo) < len(ids):
        io.note(f"journal: {len(ids) - len(todo)} ids already restored, skipped")
    return todo


def _revoke_all(
    ids: list[str], inputs: RevokeCancelInputs, vox: Vox, io: Streams, journal: Journal
) -> _Tally:
    tally = _Tally(total=len(ids))
    source = _StoppableIds(ids)
    progress = Progress(len(ids), label="revoke-cancel", stream=io.err,
                        enabled=None if len(ids) > 1 else False)
    progress.start()
    try:
        with _stop_on_first_interrupt(source.stop, progress, io):
            outcomes = vox.organization_telephone_numbers.revoke_cancel_iter(
                source, concurrency=inputs.concurrency, rate_limit=inputs.rate
            )
            for outcome in outcomes:
                result: object = outcome.result
                already = inputs.journal is not None and isinstance(result, _NOT_PENDING)
                if already:
                    result = _restored_earlier(vox, outcome.id) or result
                    already = isinstance(result, OrganizationTelephoneNumber)
                    tally.already += already
                journal.record(outcome.id, result, already=already)
                tally.add(outcome.index, outcome.id, result)
                progress.advance(ok=not isinstance(result, BaseException))
    except KeyboardInterrupt:  # the second Ctrl-C: what was in flight is not known
        tally.interrupted = True
    finally:
        progress.finish()
    tally.interrupted = tally.interrupted or source.stop.is_set()
    return tally


def _restored_earlier(vox: Vox, number_id: str) -> OrganizationTelephoneNumber | None:
    """The number, if it is active with no termination requested (else None)."""
    try:
        number = vox.organization_telephone_numbers.retrieve(number_id)
    except VoxError:
        return None
    active = number.status == TelephoneNumberStatus.ACTIVE and number.cancel_requested_at is None
    return number if active and number.provider == "vox" else None


@contextmanager
def _stop_on_first_interrupt(
    stop: threading.Event, progress: Progress, io: Streams
) -> Iterator[None]:
    """The first Ctrl-C sets ``stop`` (send no more, let what is in flight settle); the
    second raises ``KeyboardInterrupt`` as usual. Only the main thread gets signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_interrupt(signum: int, frame: object) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        progress.finish()
        io.note("interrupted: sending no more; waiting for the requests in flight "
                "(Ctrl-C again to stop at once)")

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _report(tally: _Tally, as_json: bool, io: Streams) -> int:
    restored, failures = tally.restored(), tally.failures()
    not_sent = tally.total - len(tally.results)
    if as_json:
        write_json(io.out, {
            "succeeded": len(restored),
            "failed": len(failures),
            "not_sent": not_sent,
            "results": [
                {"id": number_id, "ok": False, "error": error_json(result)}
                if isinstance(result, BaseException)
                else {"id": number_id, "ok": True, "record": result.to_dict()}  # type: ignore[attr-defined]
                for number_id, result in tally.ordered()
            ],
        })
    elif restored and not tally.interrupted:
        io.out.write(restored_table(restored) + "\n")
    _report_failures(failures, tally.refusal, io)
    noun = "number" if tally.total == 1 else "numbers"
    summary = f"restored {len(restored)} of {tally.total} {noun}"
    if tally.already:
        summary += f" ({tally.already} already active: restored by an earlier run)"
    summary += f"; {len(failures)} failed" if failures or tally.interrupted else ""
    summary += f"; {not_sent} not sent" if not_sent or tally.interrupted else ""
    io.note(("interrupted: " if tally.interrupted else "") + summary)
    if tally.interrupted:
        return EXIT_INTERRUPTED
    if tally.refusal is not None:
        return EXIT_KEY_REFUSED
    return EXIT_FAILED if failures else EXIT_OK


def _report_failures(
    failures: list[tuple[str, BaseException]], refusal: APIStatusError | None, io: Streams
) -> None:
    """One line per failure; a refused key is one line for all the ids it failed."""
    refused = [number_id for number_id, error in failures if isinstance(error, _KEY_REFUSED)]
    for number_id, failure in failures:
        if not isinstance(failure, _KEY_REFUSED):
            io.fail(number_id, failure)
    if refusal is not None and refused:
        line = failure_line("the API refused the key", refusal)
        io.err.write(f"{io.prog}: {line}; {len(refused)} ids not restored, and nothing more "
                     "was sent\n")


def exit_status(error: BaseException) -> int:
    """The exit status for a command that failed with ``error``: 4 for a refused key."""
    return EXIT_KEY_REFUSED if isinstance(error, _KEY_REFUSED) else EXIT_FAILED


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

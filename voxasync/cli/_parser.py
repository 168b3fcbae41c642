"""The ``vox`` command line: argparse parsers, option types, and the refusal of plain keys.

Every leaf parser sets ``command_name`` (``"numbers list"``, ``"demo"``), the key of the
command that runs it in :data:`voxasync.cli._commands.COMMANDS`. To add an action under
``numbers``: write its ``_add_...`` function and add a row to :data:`_NUMBERS_ACTIONS`.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any, Final, NoReturn, TypeAlias

from .._version import __version__
from ..models import Provider, TelephoneNumberStatus
from ._choices import one_of
from ._edit_parsers import add_available, add_register, add_set_agents, add_sip, add_update

KNOWN_STATUSES: Final = tuple(status.value for status in TelephoneNumberStatus)
KNOWN_PROVIDERS: Final = tuple(provider.value for provider in Provider)

#: What the exit statuses mean, for the epilogs.
EXIT_STATUSES: Final = (
    "Exit status: 0 on success, 1 if anything failed at the API, 2 on bad usage, 4 if the "
    "API refused the key (401/403), 130 if interrupted."
)

_Actions: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


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
        "--allow-insecure-http", action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="allow a plain http:// --base-url to a host other than this machine (the key "
        "then travels in clear text)",
    )
    group.add_argument(
        "--api-key", "--key", nargs="?", action=_RefusePlainKey, default=argparse.SUPPRESS,
        help=argparse.SUPPRESS,
    )
    return parent


def _add_list(actions: _Actions, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    listing = actions.add_parser(
        "list", parents=[common], allow_abbrev=False, help="list numbers",
        description="List numbers. The API shows only active numbers unless --status is given.",
    )
    listing.add_argument(
        "--status", action="extend", nargs="+", metavar="S",
        type=one_of((*KNOWN_STATUSES, "all"), several=True),
        help=f"only these statuses ({', '.join(KNOWN_STATUSES)}, or all); repeat or give "
        "several",
    )
    listing.add_argument(
        "--provider", metavar="P", type=one_of(KNOWN_PROVIDERS),
        help=f"only this provider ({' or '.join(KNOWN_PROVIDERS)})",
    )
    listing.add_argument("--json", action="store_true", help="print a JSON array of records")
    return listing


def _add_get(actions: _Actions, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    get = actions.add_parser(
        "get", parents=[common], allow_abbrev=False, help="show one number",
        description="Show one number's record.",
    )
    get.add_argument("id", metavar="ID", help="the number's record id (not the phone number)")
    get.add_argument("--json", action="store_true", help="print the record as JSON")
    return get


def _add_revoke_cancel(
    actions: _Actions, common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    revoke = actions.add_parser(
        "revoke-cancel", parents=[common], allow_abbrev=False,
        help="cancel scheduled terminations (restore numbers)",
        description="Cancel the scheduled termination of one or many numbers; they return to "
        "active. Ids come from the arguments, --from-file, and/or --all-pending.",
        epilog=EXIT_STATUSES + " Restoring thousands: --rate 5 --journal run.jsonl; if the "
        "run dies, start the same command again to resume.",
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
        "--journal", metavar="FILE",
        help="append one JSON line per settled id to FILE; started again with the same "
        "FILE, skip the ids it records as restored (resume a run that died)",
    )
    revoke.add_argument(
        "--dry-run", action="store_true",
        help="print the ids that would be restored and change nothing (no revoke-cancel is "
        "sent; --all-pending still reads the list)",
    )
    revoke.add_argument("--json", action="store_true", help="print results as JSON")
    return revoke


def _add_delete(actions: _Actions, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
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
    return delete


_AddAction: TypeAlias = Callable[[_Actions, argparse.ArgumentParser], argparse.ArgumentParser]

#: The actions of ``vox numbers``, in the order ``--help`` lists them.
_NUMBERS_ACTIONS: Final[tuple[tuple[str, _AddAction], ...]] = (
    ("list", _add_list),
    ("get", _add_get),
    ("revoke-cancel", _add_revoke_cancel),
    ("delete", _add_delete),
    ("update", add_update),
    ("set-agents", add_set_agents),
    ("sip", add_sip),
    ("register", add_register),
    ("available", add_available),
)


def _add_demo(commands: _Actions) -> None:
    demo = commands.add_parser(
        "demo", help="run the SDK end to end against an in-process fake server (no key)",
        description="Start a fake vox.ai server in this process, seed numbers pending "
        "termination, and revoke-cancel them from async code, the sync client and a batch.",
        allow_abbrev=False,
    )
    demo.set_defaults(command_name="demo")


def _add_numbers(commands: _Actions) -> None:
    common = _global_options(top=False)
    numbers = commands.add_parser(
        "numbers", parents=[common], help="the organization's telephone numbers",
        allow_abbrev=False,
        description="List, inspect, restore, change, register and terminate the "
        "organization's numbers; list numbers for sale.",
    )
    actions = numbers.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, add in _NUMBERS_ACTIONS:
        add(actions, common).set_defaults(command_name=f"numbers {name}")


def build_parser(prog: str = "vox") -> argparse.ArgumentParser:
    """The parser of the whole command; each leaf sets ``command_name``."""
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Manage vox.ai telephone numbers; above all, undo scheduled terminations.",
        epilog=(
            "The API key comes from $VOX_API_KEY or --api-key-file, never from an argument. "
            f"Try it with no key: {prog} --sandbox numbers list --status all. "
            + EXIT_STATUSES
        ),
        parents=[_global_options(top=True)],
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"voxasync {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_demo(commands)
    _add_numbers(commands)
    return parser

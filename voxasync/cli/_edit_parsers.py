"""The parsers of the ``vox numbers`` actions that change numbers or look at those for sale:
``update``, ``set-agents``, ``sip``, ``register``, ``available``.

A SIP password is read from a file (or stdin), never taken as an argument: an argument ends
up in shell history and in ``ps``.
"""

from __future__ import annotations

import argparse
from typing import NoReturn, TypeAlias

from ..models import LineType
from ._choices import one_of

_Actions: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

_AGENT_OPTIONS = (
    ("inbound", "the agent that answers calls"),
    ("outbound", "the agent that places calls"),
    ("sms-inbound", "the agent that receives SMS (existing chats are not moved)"),
)


class _RefusePlainPassword(argparse.Action):
    """``--auth-password VALUE`` is refused without echoing VALUE."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> NoReturn:
        parser.error(
            f"{option_string} is not accepted: a password on the command line ends up in "
            "shell history and process lists. Pass --auth-password-file PATH (or - for stdin)."
        )


def _password_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--auth-username", metavar="NAME", help="SIP auth user name")
    parser.add_argument(
        "--auth-password-file", metavar="PATH",
        help="read the SIP auth password from PATH (its first line); - reads stdin",
    )
    parser.add_argument(
        "--auth-password", nargs="?", action=_RefusePlainPassword, default=argparse.SUPPRESS,
        help=argparse.SUPPRESS,
    )


def _memo_options(parser: argparse.ArgumentParser, *, required: bool) -> None:
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--memo", metavar="TEXT", help="the memo (at most 200 characters)")
    group.add_argument("--clear-memo", action="store_true", help="remove the memo")


def add_update(actions: _Actions, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    update = actions.add_parser(
        "update", parents=[common], allow_abbrev=False, help="change a number's memo",
        description="Change (or clear) a number's memo.",
    )
    update.add_argument("id", metavar="ID", help="the number's record id")
    _memo_options(update, required=True)
    update.add_argument("--json", action="store_true", help="print the record as JSON")
    return update


def add_set_agents(
    actions: _Actions, common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    agents = actions.add_parser(
        "set-agents", parents=[common], allow_abbrev=False,
        help="map voice agents to a number",
        description="Map (or unmap) the agents of a number. An agent is AGENT_ID, or "
        "AGENT_ID@VERSION with VERSION current (the default), production or v<N>. A mapping "
        "not named stays as it is.",
    )
    agents.add_argument("id", metavar="ID", help="the number's record id")
    for name, what in _AGENT_OPTIONS:
        group = agents.add_mutually_exclusive_group()
        group.add_argument(f"--{name}", metavar="AGENT_ID[@VERSION]", help=what)
        group.add_argument(f"--clear-{name}", action="store_true", help=f"unmap {what}")
    agents.add_argument("--json", action="store_true", help="print the record as JSON")
    return agents


def add_sip(actions: _Actions, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sip = actions.add_parser(
        "sip", parents=[common], allow_abbrev=False,
        help="change the SIP trunk settings of a custom number",
        description="Change the SIP trunk settings of a custom (registered) number. The API "
        "needs the password again whenever the address or the user name changes.",
    )
    sip.add_argument("id", metavar="ID", help="the number's record id")
    sip.add_argument("--address", metavar="SIP_URI", help="SIP trunk address")
    _password_options(sip)
    sip.add_argument(
        "--clear-auth", action="store_true",
        help="remove the user name and password (a trunk without authentication)",
    )
    _memo_options(sip, required=False)
    sip.add_argument("--json", action="store_true", help="print the record as JSON")
    return sip


def add_register(
    actions: _Actions, common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    register = actions.add_parser(
        "register", parents=[common], allow_abbrev=False,
        help="register your own number, reached over SIP",
        description="Register the organization's own number (it becomes a custom number). "
        "Map agents to it afterwards with set-agents.",
    )
    register.add_argument("number", metavar="NUMBER", help="digits only, e.g. 07011112222")
    register.add_argument(
        "--address", metavar="SIP_URI", required=True,
        help="SIP trunk address, e.g. sip:trunk.example.com:5060",
    )
    _password_options(register)
    register.add_argument("--memo", metavar="TEXT", help="a memo (at most 200 characters)")
    register.add_argument("--json", action="store_true", help="print the record as JSON")
    return register


def add_available(
    actions: _Actions, common: argparse.ArgumentParser
) -> argparse.ArgumentParser:
    available = actions.add_parser(
        "available", parents=[common], allow_abbrev=False, help="list numbers for sale",
        description="List the numbers that can be bought. Buying goes through the vox.ai "
        "dashboard.",
    )
    available.add_argument(
        "--line-type", metavar="T", type=one_of([t.value for t in LineType]),
        help=f"only this kind ({', '.join(t.value for t in LineType)})",
    )
    available.add_argument(
        "--sort-by", choices=("number", "monthly_fee"), help="sort key (default: number)"
    )
    available.add_argument("--json", action="store_true", help="print a JSON array")
    return available

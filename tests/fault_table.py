"""The shape of the fault table: cases, steps, expected outcomes and the matchers they use.

The cases themselves are in ``tests/fault_cases.py``; ``tests/test_faults.py`` runs them.

Expected values are plain values (compared with ``==``) or the small matchers below. Text
matchers (:class:`Fmt`, :class:`StartsWith`, ...) fill in ``{id}`` (the number the step
calls on), ``{path}`` (``/v3/organization-telephone-numbers/{id}``) and ``{url}`` (the
server's URL and the path).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from voxasync import OrganizationTelephoneNumber, Provider, TelephoneNumberTermination
from voxasync.testing import Fault

Target = Literal["pending", "active", "custom", "missing"]
"""The number a step calls on: a vox number pending termination, an active vox number, an
active custom number, or an id the server does not know (``no-such-number``)."""

FaultSpec = Fault | Callable[[], Fault]
"""A fault, or a function that builds it when the case runs (HTTP dates are relative to
that moment)."""


# -- matchers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What the text matchers fill in, and what :class:`TerminationOf` reads."""

    id: str
    server_url: str
    number: Callable[[str], dict[str, Any]]
    """``FakeVoxServer.number``: a number's record as the server holds it now."""

    @property
    def path(self) -> str:
        return f"/v3/organization-telephone-numbers/{self.id}"

    def fill(self, template: str) -> str:
        return template.format(id=self.id, path=self.path, url=self.server_url + self.path)


class Matcher:
    def matches(self, actual: Any, ctx: Context) -> bool:
        raise NotImplementedError


MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()
"""What a path resolves to when an attribute is not there at all."""


def matches(expected: Any, actual: Any, ctx: Context) -> bool:
    if isinstance(expected, Matcher):
        return expected.matches(actual, ctx)
    return actual is not MISSING and bool(actual == expected)


@dataclass(frozen=True)
class Fmt(Matcher):
    """Equal to the template, filled in."""

    template: str

    def matches(self, actual: Any, ctx: Context) -> bool:
        return bool(actual == ctx.fill(self.template))


@dataclass(frozen=True)
class StartsWith(Matcher):
    template: str

    def matches(self, actual: Any, ctx: Context) -> bool:
        return isinstance(actual, str) and actual.startswith(ctx.fill(self.template))


@dataclass(frozen=True)
class EndsWith(Matcher):
    template: str

    def matches(self, actual: Any, ctx: Context) -> bool:
        return isinstance(actual, str) and actual.endswith(ctx.fill(self.template))


@dataclass(frozen=True)
class Contains(Matcher):
    template: str

    def matches(self, actual: Any, ctx: Context) -> bool:
        return isinstance(actual, str) and ctx.fill(self.template) in actual


@dataclass(frozen=True)
class NotContains(Matcher):
    template: str

    def matches(self, actual: Any, ctx: Context) -> bool:
        return isinstance(actual, str) and ctx.fill(self.template) not in actual


@dataclass(frozen=True)
class Between(Matcher):
    """``low <= actual <= high``; ``low < actual`` with ``open_low``."""

    low: float
    high: float
    open_low: bool = False

    def matches(self, actual: Any, ctx: Context) -> bool:
        if not isinstance(actual, int | float):
            return False
        above = actual > self.low if self.open_low else actual >= self.low
        return above and actual <= self.high


@dataclass(frozen=True)
class Above(Matcher):
    bound: float

    def matches(self, actual: Any, ctx: Context) -> bool:
        return isinstance(actual, int | float) and actual > self.bound


@dataclass(frozen=True)
class AllOf(Matcher):
    parts: tuple[Any, ...]

    def matches(self, actual: Any, ctx: Context) -> bool:
        return all(matches(part, actual, ctx) for part in self.parts)


@dataclass(frozen=True)
class Is(Matcher):
    """The very object (an enum member, not merely an equal string)."""

    value: Any

    def matches(self, actual: Any, ctx: Context) -> bool:
        return actual is self.value


@dataclass(frozen=True)
class Typed(Matcher):
    """Equal, and of exactly this type."""

    value: Any
    type: type

    def matches(self, actual: Any, ctx: Context) -> bool:
        return type(actual) is self.type and bool(actual == self.value)


@dataclass(frozen=True)
class IsA(Matcher):
    cls: type

    def matches(self, actual: Any, ctx: Context) -> bool:
        return isinstance(actual, self.cls)


@dataclass(frozen=True)
class SortedEq(Matcher):
    value: list[Any]

    def matches(self, actual: Any, ctx: Context) -> bool:
        return sorted(actual) == self.value


@dataclass(frozen=True)
class Absent(Matcher):
    """The attribute does not exist."""

    def matches(self, actual: Any, ctx: Context) -> bool:
        return actual is MISSING


@dataclass(frozen=True)
class TerminationOf(Matcher):
    """The termination of the step's number, as the server now holds it."""

    provider: Provider

    def matches(self, actual: Any, ctx: Context) -> bool:
        after = ctx.number(ctx.id)
        return bool(actual == TelephoneNumberTermination(
            id=ctx.id, number=after["number"], provider=self.provider,
            effective_at=after["end_at"],
        ))


def resolve(obj: Any, path: str) -> Any:
    """``a.b.c`` through attributes (or keys, for mappings); ``str()`` is ``str(obj)``."""
    for segment in path.split("."):
        if obj is MISSING:
            return MISSING
        if segment == "str()":
            obj = str(obj)
        elif isinstance(obj, Mapping):
            obj = obj.get(segment, MISSING)
        else:
            obj = getattr(obj, segment, MISSING)
    return obj


# -- cases ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Inject:
    """One ``server.inject(*faults, method=, action=, times=)``."""

    faults: tuple[FaultSpec, ...]
    method: str | None = None
    action: str | None = None
    times: int = 1

    def build(self) -> list[Fault]:
        return [f if isinstance(f, Fault) else f() for f in self.faults]


def inject(*faults: FaultSpec, method: str | None = None, action: str | None = None,
           times: int = 1) -> Inject:
    return Inject(faults, method, action, times)


@dataclass(frozen=True)
class Returns:
    """The call returns an object of exactly ``type``, with these attribute values."""

    attrs: Mapping[str, Any] = field(default_factory=dict)
    type: type = OrganizationTelephoneNumber
    equals: Any = None
    """When set, the whole result must match it too."""


@dataclass(frozen=True)
class Raises:
    """The call raises exactly ``type`` (not a subclass), with these attribute values."""

    type: type[BaseException]
    attrs: Mapping[str, Any] = field(default_factory=dict)


def returns(equals: Any = None, type: type = OrganizationTelephoneNumber,
            **attrs: Any) -> Returns:
    return Returns(attrs, type, equals)


def raises(error: type[BaseException], **attrs: Any) -> Raises:
    return Raises(error, attrs)


Call = Literal["retrieve", "revoke_cancel", "delete"]
POST_RC = ("POST", "revoke-cancel")
GET = ("GET", "")
DELETE = ("DELETE", "")


@dataclass(frozen=True)
class Step:
    """One call, and exactly the requests the server saw for it.

    The request lists (``statuses``, ``calls``, ``faults``, ``authorized``) cover the
    requests of this step only, once the server handles none (a slow handler outlives the
    client that gave up on it), in the order they were answered, or arrived with
    ``order="arrival"``.
    """

    call: Call
    target: Target
    expect: Returns | Raises
    statuses: tuple[int | None, ...]
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    inject: tuple[Inject, ...] = ()
    options: tuple[Mapping[str, Any], ...] = ()
    """``with_options(**each)`` applied to the client in turn, for this step."""
    calls: tuple[tuple[str, str | None], ...] | None = None
    faults: tuple[Fault | None, ...] | None = None
    authorized: tuple[bool, ...] | None = None
    order: Literal["answered", "arrival"] = "answered"
    min_elapsed: float | None = None
    """The call took at least this long (seconds)."""
    retry_gap: float | None = None
    """The second request arrived at least this long after the first (seconds)."""


@dataclass(frozen=True)
class FaultCase:
    id: str
    steps: tuple[Step, ...]
    client: Mapping[str, Any] = field(default_factory=dict)
    """Keyword arguments of ``AsyncVox`` (or ``Vox``), besides the key and the base URL."""
    api_key: str | None = None
    """The key the client sends, when not the server's own."""
    latency: float = 0.0
    """``FakeVoxServer(latency=)``."""
    sync: bool = False
    """Through ``Vox`` instead of ``AsyncVox``."""
    instant: bool = True
    """Within ``instant_retries()``: retries wait no real time."""
    after: Mapping[Target, str] = field(default_factory=dict)
    """Each number's status on the server once the case ran."""
    retry_logs: tuple[Any, ...] | None = None
    """Every "retrying ..." log record (all of them, INFO, from ``voxasync``), in order."""
    log_contains: str | None = None
    """Some log record says this."""

    @property
    def targets(self) -> list[Target]:
        return list(dict.fromkeys(step.target for step in self.steps))


_CASE_FIELDS = {"client", "api_key", "latency", "sync", "instant", "after", "retry_logs",
                "log_contains"}


def case(id: str, call: Call, target: Target, expect: Returns | Raises,
         statuses: tuple[int | None, ...], *injects: Inject, **more: Any) -> FaultCase:
    """A one-step case: ``more`` holds the :class:`FaultCase` and :class:`Step` fields."""
    case_fields = {k: v for k, v in more.items() if k in _CASE_FIELDS}
    step_fields = {k: v for k, v in more.items() if k not in _CASE_FIELDS}
    step = Step(call, target, expect, statuses, inject=injects, **step_fields)
    return FaultCase(id, (step,), **case_fields)


@dataclass(frozen=True)
class Row:
    """One line of the doc's table, and what pins it."""

    fault: str
    outcome: str
    attempts: str
    cases: tuple[FaultCase, ...] = ()
    pinned_by: tuple[str, ...] = ()
    """``tests/<file>.py::<test>`` for what the table's runner does not run itself."""


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...]

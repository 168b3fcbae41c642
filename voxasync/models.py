"""The records the API returns, as frozen attrs classes.

Field names and values are exactly the API's: timestamps stay ``int`` milliseconds since the
epoch, as sent. Each timestamp also has a read-only ``*_datetime`` property that gives it as
a timezone-aware UTC :class:`~datetime.datetime`.

``provider``, ``status`` and ``line_type`` are *open* enums: a value the SDK knows becomes a
member of :class:`Provider` / :class:`TelephoneNumberStatus` / :class:`LineType` (which
compares equal to its string), and a value the server adds later is kept as the plain
string it sent.

Every record keeps the fields this SDK does not know yet in :attr:`Record.extra` (as sent),
and turns back into the API's JSON with :meth:`Record.to_dict` / :meth:`Record.to_json`.
Models hold no I/O and no serialization rules: both directions are the converter's
(``voxasync._converter``).
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
from collections.abc import Mapping
from typing import Any

import attrs

from ._converter import unstructure
from ._extra import NO_EXTRA_FIELDS

__all__ = [
    "AgentMapping",
    "AvailableTelephoneNumber",
    "AvailableTelephoneNumberPage",
    "LineType",
    "OrganizationTelephoneNumber",
    "Provider",
    "Record",
    "RevokeCancelOutcome",
    "SmsCapability",
    "TelephoneNumberStatus",
    "TelephoneNumberTermination",
]


class Provider(enum.StrEnum):
    """Where a number comes from. The server may add values; unknown ones stay ``str``."""

    VOX = "vox"
    """Bought from vox.ai; termination waits for the end of the paid period."""
    CUSTOM = "custom"
    """The organization's own number, connected over SIP; terminated at once."""


class TelephoneNumberStatus(enum.StrEnum):
    """Life-cycle state of a number. The server may add values; unknown ones stay ``str``."""

    ACTIVE = "active"
    SCHEDULED = "scheduled"
    CANCEL_REQUESTED = "cancel_requested"
    """Termination was requested and takes effect at ``end_at``: ``revoke_cancel`` undoes it."""
    EXPIRED = "expired"


class LineType(enum.StrEnum):
    """The kind of a number for sale. The server may add values; unknown ones stay ``str``."""

    MOBILE = "mobile"
    LANDLINE = "landline"
    VOIP = "voip"
    UAN = "uan"
    """A representative number (대표번호)."""
    PERSONAL = "personal"
    TOLL_FREE = "toll_free"


_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.UTC)


def ms_to_datetime(ms: int) -> _dt.datetime:
    """A millisecond unix timestamp as an exact, timezone-aware UTC datetime."""
    # Integer arithmetic: ``ms / 1000`` as a float drops microseconds for dates past ~2100.
    return _EPOCH + _dt.timedelta(milliseconds=ms)


def _optional_ms_to_datetime(ms: int | None) -> _dt.datetime | None:
    return None if ms is None else ms_to_datetime(ms)




@attrs.frozen(kw_only=True)
class Record:
    """What every record shares: unknown fields kept, and a way back to the API's JSON."""

    extra: Mapping[str, Any] = attrs.field(
        default=NO_EXTRA_FIELDS, eq=False, repr=False, kw_only=True
    )
    """Fields the service sent that this SDK does not know (yet), as sent; empty if none.
    Not part of equality or hashing."""

    def to_dict(self) -> dict[str, Any]:
        """The record as the API sends it: its field names and plain JSON types (enums as
        strings, timestamps as int milliseconds, nested records as dicts), the
        :attr:`extra` fields included. ``json.dumps`` takes it as it is."""
        result: dict[str, Any] = unstructure(self)
        return result

    def to_json(self, *, indent: int | None = None) -> str:
        """:meth:`to_dict` as a JSON string (non-ASCII text, such as Korean, kept as is)."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)


@attrs.frozen(kw_only=True)
class AgentMapping(Record):
    """The voice agent a number routes calls (or SMS) to, and which version of it.

    Pass one to ``update_agents``: ``AgentMapping(agent_id=...)`` maps the agent's
    ``"current"`` version. The version is checked when the mapping is sent, not here, so that
    a version the server starts sending later never breaks reading a record.
    """

    agent_id: str
    agent_version: str = "current"
    """``"current"``, ``"production"`` or ``"v<N>"`` (N >= 1)."""


@attrs.frozen(kw_only=True)
class OrganizationTelephoneNumber(Record):
    """A telephone number the organization owns, as every number endpoint returns it."""

    id: str
    number: str
    """Digits only, Korean domestic format, e.g. ``"07011112222"``."""
    provider: Provider | str
    status: TelephoneNumberStatus | str
    created_at: int
    updated_at: int
    start_at: int | None = None
    monthly_fee: int | None = None
    """Monthly fee in KRW; ``None`` for custom numbers."""
    address: str | None = None
    inbound_trunk_id: str | None = None
    outbound_trunk_id: str | None = None
    inbound_agent: AgentMapping | None = None
    outbound_agent: AgentMapping | None = None
    sms_inbound_agent: AgentMapping | None = None
    """The agent that receives SMS on the number."""
    memo: str | None = None
    end_at: int | None = None
    """When service ends; ``None`` when no termination is scheduled."""
    cancel_requested_at: int | None = None
    """When termination was requested; ``None`` when none is pending."""

    @property
    def is_pending_termination(self) -> bool:
        """Whether a termination is scheduled that ``revoke_cancel`` could undo."""
        return self.status == TelephoneNumberStatus.CANCEL_REQUESTED

    @property
    def start_datetime(self) -> _dt.datetime | None:
        return _optional_ms_to_datetime(self.start_at)

    @property
    def created_datetime(self) -> _dt.datetime:
        return ms_to_datetime(self.created_at)

    @property
    def updated_datetime(self) -> _dt.datetime:
        return ms_to_datetime(self.updated_at)

    @property
    def end_datetime(self) -> _dt.datetime | None:
        return _optional_ms_to_datetime(self.end_at)

    @property
    def cancel_requested_datetime(self) -> _dt.datetime | None:
        return _optional_ms_to_datetime(self.cancel_requested_at)


@attrs.frozen(kw_only=True)
class TelephoneNumberTermination(Record):
    """The answer to ``delete``: when the number's service ends."""

    id: str
    number: str
    provider: Provider | str
    effective_at: int
    """End of the paid period for vox numbers; the moment of the request for custom ones."""

    @property
    def effective_datetime(self) -> _dt.datetime:
        return ms_to_datetime(self.effective_at)


@attrs.frozen(kw_only=True)
class SmsCapability(Record):
    """Whether a number for sale can send and receive SMS."""

    send: bool
    recv: bool


@attrs.frozen(kw_only=True)
class AvailableTelephoneNumber(Record):
    """A number that can be bought, from ``telephone_numbers.list_available``."""

    id: str
    number: str
    """Digits only, e.g. ``"07011112222"``."""
    line_type: LineType | str
    monthly_fee: int | None
    """Monthly fee in KRW."""
    provider: Provider | str
    sms_capable: SmsCapability


@attrs.frozen(kw_only=True)
class AvailableTelephoneNumberPage:
    """One page of ``GET /v3/telephone-numbers/available`` (internal to pagination)."""

    items: list[AvailableTelephoneNumber]
    total_count: int | None = None
    next_cursor: str | None = None


@attrs.frozen(kw_only=True)
class OrganizationTelephoneNumberPage:
    """One page of ``GET /v3/organization-telephone-numbers`` (internal to pagination)."""

    items: list[OrganizationTelephoneNumber]
    total_count: int | None = None
    next_cursor: str | None = None


@attrs.frozen
class RevokeCancelOutcome:
    """How one input position of ``revoke_cancel_iter`` settled.

    ``result`` is the restored record, or the exception for that position (a ``VoxError``,
    or the ``ValueError``/``TypeError`` of an invalid id); ``ok`` tells which. ``id`` is the
    value given at ``index``, as given (an invalid one may not be a ``str``).

    A repeated id is sent once: its later positions settle at once with a ``ValueError``
    and ``repeat_of`` set to the index whose outcome reports the request. (``revoke_cancel_many``
    gives those positions the first position's result instead.)
    """

    index: int
    id: str
    result: OrganizationTelephoneNumber | Exception
    repeat_of: int | None = attrs.field(default=None, kw_only=True)

    @property
    def ok(self) -> bool:
        """Whether the number was restored."""
        return isinstance(self.result, OrganizationTelephoneNumber)

"""``Vox``: the blocking client. Every method runs the very same ``AsyncVox`` coroutine.

One anyio ``BlockingPortal`` runs for the client's whole life, on an event loop in a daemon
thread of its own (``_portal``); the aiohttp session is created on that loop and closed
there. Because the caller's thread never runs a loop itself, ``Vox`` works where a loop is
already running (a Jupyter cell), and any number of threads may share one ``Vox``.
"""

from __future__ import annotations

from collections.abc import Mapping
from ssl import SSLContext
from typing import Self

import aiohttp
import attrs

from .._client import DEFAULT_MAX_CONNECTIONS, AsyncVox
from .._types import NOT_GIVEN, NotGiven, TimeoutTypes
from ._lifetime import Lifetime
from ._resources import OrganizationTelephoneNumbers, TelephoneNumbers

__all__ = ["Vox"]


@attrs.frozen
class _Derived:
    """What a ``with_options`` copy is built from: its async client, and the shared lifetime."""

    async_client: AsyncVox
    lifetime: Lifetime


class Vox:
    """Blocking client for the vox.ai API; the same arguments as :class:`AsyncVox`.

    Use it as ``with Vox() as vox:`` or call :meth:`close`. Safe to share across threads.
    (There is no ``session`` argument: the session must live on this client's own loop;
    ``proxy``, ``trust_env``, ``ssl`` and ``default_headers`` configure it instead.)
    """

    organization_telephone_numbers: OrganizationTelephoneNumbers
    telephone_numbers: TelephoneNumbers

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = 2,
        deadline: float | None = None,
        rate_limit: float | None = None,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        app_info: str | None = None,
        allow_insecure_http: bool = False,
        proxy: str | None = None,
        trust_env: bool = True,
        ssl: SSLContext | None = None,
        default_headers: Mapping[str, str] | None = None,
        _derived: _Derived | None = None,
    ) -> None:
        if _derived is not None:  # a with_options copy: same thread and pool
            self._wire(_derived.async_client, _derived.lifetime, owner=False)
            return
        # Configuration errors surface here, before any thread is started.
        async_client = AsyncVox(
            api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            deadline=deadline,
            rate_limit=rate_limit,
            max_connections=max_connections,
            app_info=app_info,
            allow_insecure_http=allow_insecure_http,
            proxy=proxy,
            trust_env=trust_env,
            ssl=ssl,
            default_headers=default_headers,
        )
        self._wire(async_client, Lifetime(async_client), owner=True)

    def _wire(self, async_client: AsyncVox, lifetime: Lifetime, *, owner: bool) -> None:
        self._async = async_client
        self._lifetime = lifetime
        self._owner = owner
        # Resources hold the lifetime, not this Vox: no reference cycle, so an unclosed
        # client is finalized as soon as its last user is dropped.
        self.organization_telephone_numbers = OrganizationTelephoneNumbers(
            lifetime, async_client.organization_telephone_numbers
        )
        self.telephone_numbers = TelephoneNumbers(lifetime, async_client.telephone_numbers)

    @property
    def base_url(self) -> str:
        return self._async.base_url

    @property
    def timeout(self) -> aiohttp.ClientTimeout:
        """Each attempt's timeout (``total=None``: no limit)."""
        return self._async.timeout

    @property
    def max_retries(self) -> int:
        return self._async.max_retries

    @property
    def deadline(self) -> float | None:
        """The overall limit of one call across its attempts, if any."""
        return self._async.deadline

    @property
    def is_closed(self) -> bool:
        """Whether the client was closed (by ``close()`` on the original)."""
        return self._async.is_closed

    def with_options(
        self,
        *,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int | NotGiven = NOT_GIVEN,
        deadline: float | NotGiven | None = NOT_GIVEN,
    ) -> Vox:
        """A client with other defaults sharing this one's thread and connection pool.

        The derived client does not own them: close the original, not the copy.
        """
        derived = self._async.with_options(
            timeout=timeout, max_retries=max_retries, deadline=deadline
        )
        return Vox(_derived=_Derived(derived, self._lifetime))

    def close(self) -> None:
        """Close the connection pool and stop the client's thread. Idempotent."""
        if self._owner:
            self._lifetime.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Vox(base_url={self.base_url!r})"

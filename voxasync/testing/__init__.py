"""A fake vox.ai server for tests and the sandbox: a real ``aiohttp.web`` app on loopback.

It runs on its own thread with its own event loop, so the same server serves async tests,
sync tests, and sync code called from inside an async test::

    from voxasync import AsyncVox
    from voxasync.testing import Fault, FakeVoxServer

    with FakeVoxServer() as server:
        number_id = server.add_number(status="cancel_requested")["id"]
        server.inject(Fault.status(503))                   # the next request fails once
        async with AsyncVox(server.api_key, base_url=server.url) as vox:
            record = await vox.organization_telephone_numbers.revoke_cancel(number_id)
        assert record.status == "active"
        assert [r.status for r in server.requests] == [503, 200]

What it implements, following the public API reference:

- ``POST .../{id}/revoke-cancel``: ``cancel_requested`` -> ``active`` with ``end_at`` and
  ``cancel_requested_at`` cleared. An unknown id is 404 ``NOT_FOUND``; a ``custom`` number is
  400 ``VALIDATION_ERROR``; a number in another state is 409 ``INVALID_STATUS`` (the real
  service does not document these two codes; these are this fake's choice).
- ``GET`` list (``status`` defaults to ``active``, repeated ``status``, ``provider``,
  ``cursor``, ``limit`` 1..100, ``sort_by=created_at``, ``sort_order``; ``status[]`` is 400),
  ``GET`` one, and ``DELETE`` (vox numbers go to ``cancel_requested`` until the end of the
  paid period; custom numbers expire at once).
- ``PATCH .../{id}`` (memo), ``.../{id}/agent`` and ``.../{id}/sip`` (custom numbers only;
  ``auth_password`` required with a new address or user name), each answering the updated
  record; an empty body, an unknown field or a bad value is 400 ``VALIDATION_ERROR``, and
  mapping an agent to an expired number is 409 ``INVALID_STATUS``.
- ``POST /v3/telephone-numbers/register`` (409 ``ALREADY_EXISTS`` for a number in service)
  and ``GET /v3/telephone-numbers/available`` over a seeded set of numbers for sale.
- A wrong or missing bearer key is 401 ``UNAUTHORIZED``.

Faults (:class:`Fault`) are queued with :meth:`FakeVoxServer.inject` and consumed one per
matching request; every request is logged in :attr:`FakeVoxServer.requests`.

Inside: ``_store`` holds the records and the API's rules (``_edits`` checks the bodies of
the calls that change numbers, ``_catalog`` holds the numbers for sale, ``_rules`` what they
share), ``_faults`` the faults and how they are delivered, ``_routes`` the routing table,
``_server`` the thread and the request log.
"""

from .._retry import instant_retries
from ._faults import Fault
from ._server import FakeVoxServer, RecordedRequest

__all__ = ["FakeVoxServer", "Fault", "RecordedRequest", "instant_retries"]

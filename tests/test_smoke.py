import pytest

from voxasync import AsyncVox, TelephoneNumberStatus, Vox
from voxasync.testing import FakeVoxServer


@pytest.mark.anyio
async def test_async_revoke_cancel_restores_a_pending_number(
    server: FakeVoxServer, avox: AsyncVox
) -> None:
    (number_id,) = server.seed_pending(1)
    record = await avox.organization_telephone_numbers.revoke_cancel(number_id)
    assert record.status == TelephoneNumberStatus.ACTIVE
    assert record.end_at is None
    assert server.number(number_id)["status"] == "active"


def test_sync_revoke_cancel_restores_a_pending_number(server: FakeVoxServer, vox: Vox) -> None:
    (number_id,) = server.seed_pending(1)
    record = vox.organization_telephone_numbers.revoke_cancel(number_id)
    assert record.status == "active"
    assert record.cancel_requested_at is None

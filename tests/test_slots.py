"""Connection slots (``voxasync._slots``): first come, first served, and not one slot lost or
made up when a waiter is cancelled, even at the moment a slot is handed to it."""

from __future__ import annotations

import asyncio

import pytest

from voxasync._slots import Slots

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(30)]


async def test_free_slots_are_taken_at_once_and_counted() -> None:
    slots = Slots(2)
    assert slots.take_now() and slots.take_now()
    assert not slots.take_now()
    assert (slots.taken, slots.free) == (2, 0)
    slots.release()
    assert (slots.taken, slots.free) == (1, 1)
    await slots.take()  # a free slot: no wait
    assert slots.taken == 2


async def test_waiters_get_slots_in_the_order_they_came() -> None:
    slots = Slots(1)
    assert slots.take_now()
    order: list[int] = []

    async def wait(n: int) -> None:
        await slots.take()
        order.append(n)

    tasks = [asyncio.create_task(wait(n)) for n in range(3)]
    await asyncio.sleep(0)
    assert order == []
    for expected in ([0], [0, 1], [0, 1, 2]):
        slots.release()
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        assert order == expected
        assert slots.taken == 1
    await asyncio.gather(*tasks)


async def test_a_freed_slot_cannot_be_taken_out_of_turn() -> None:
    slots = Slots(1)
    assert slots.take_now()
    waiter = asyncio.create_task(slots.take())
    await asyncio.sleep(0)
    slots.release()  # handed to the waiter, which has not run yet
    assert not slots.take_now()
    await waiter
    assert slots.taken == 1


async def test_a_cancelled_waiter_gives_up_its_place() -> None:
    slots = Slots(1)
    assert slots.take_now()
    first = asyncio.create_task(slots.take())
    second = asyncio.create_task(slots.take())
    await asyncio.sleep(0)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    slots.release()
    await second  # the slot skipped the cancelled waiter
    assert slots.taken == 1
    slots.release()
    assert (slots.taken, slots.free) == (0, 1)


async def test_a_slot_handed_to_a_waiter_cancelled_then_passes_on() -> None:
    slots = Slots(1)
    assert slots.take_now()
    first = asyncio.create_task(slots.take())
    second = asyncio.create_task(slots.take())
    await asyncio.sleep(0)
    slots.release()  # handed to ``first``...
    first.cancel()  # ...which is cancelled before it runs
    with pytest.raises(asyncio.CancelledError):
        await first
    await second
    assert slots.taken == 1
    slots.release()
    assert (slots.taken, slots.free) == (0, 1)


async def test_every_slot_comes_back_after_a_storm_of_cancels() -> None:
    slots = Slots(3)

    async def hold() -> None:
        await slots.take()
        try:
            await asyncio.sleep(0)
        finally:
            slots.release()

    for _ in range(20):
        tasks = [asyncio.create_task(hold()) for _ in range(12)]
        await asyncio.sleep(0)
        for task in tasks[::3]:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        assert (slots.taken, slots.free) == (0, 3)


async def test_a_waiter_whose_coroutine_is_closed_gives_up_its_place() -> None:
    """Closed rather than cancelled (a pending task collected, ``coro.close()``): its
    place goes, and the next slot freed is not handed to it."""
    slots = Slots(1)
    assert slots.take_now()
    waiting = slots.take()
    waiting.send(None)  # now waiting for a slot
    waiting.close()
    slots.release()
    assert (slots.taken, slots.free) == (0, 1)
    assert slots.take_now()

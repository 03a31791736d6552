"""A commit that lands while the relay is publishing is not left waiting for the next poll."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from luoshi_kit.messaging.bus import OutgoingMessage
from luoshi_kit.messaging.relay import OutboxRelay


class _Bus:
    async def healthy(self) -> bool:
        return True

    async def publish(self, messages: Sequence[OutgoingMessage]) -> list[BaseException | None]:
        return [None] * len(messages)


async def test_wake_up_during_a_round_is_kept() -> None:
    rounds: list[float] = []
    relay = OutboxRelay.__new__(OutboxRelay)
    relay.service, relay.bus, relay.batch_size, relay.poll_seconds = "t", _Bus(), 500, 5.0  # type: ignore[assignment]
    relay.wakeup = asyncio.Event()

    async def publish_batch() -> tuple[int, int]:
        rounds.append(asyncio.get_running_loop().time())
        if len(rounds) == 1:
            relay.wake()  # a commit lands while the first round is publishing
        await asyncio.sleep(0.01)
        return 0, 0

    async def housekeeping() -> None:
        return None

    relay.publish_batch = publish_batch  # type: ignore[method-assign]
    relay.housekeeping = housekeeping  # type: ignore[method-assign]
    task = asyncio.create_task(relay.run())
    await asyncio.sleep(0.5)
    task.cancel()
    # With the poll at 5 s, a second round within half a second can only come from the kept wake-up.
    assert len(rounds) >= 2 and rounds[1] - rounds[0] < 0.2

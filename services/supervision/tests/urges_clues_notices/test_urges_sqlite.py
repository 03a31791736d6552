"""The embedded mode (SQLite, one process): the same exactly-once insert and escalation work there too."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from luoshi_kit.db import make_engine, make_sessionmaker
from luoshi_supervision.db import TABLES
from luoshi_supervision.urges import escalation, service
from luoshi_supervision.urges.models import Urge

from .conftest import alert


async def test_exactly_once_and_escalation_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'supervision.db'}")
    maker = make_sessionmaker(engine, TABLES)
    async with engine.begin() as conn:
        await conn.run_sync(TABLES.base.metadata.create_all)
    data = alert("T-embedded", occurrence="2026-11-02")
    now = datetime.now(UTC)
    opened = []
    for _ in range(2):
        async with maker() as session, session.begin():
            opened.append(
                await service.open_automatic(
                    session=session,
                    kind="order",
                    task=data.task,
                    occurrence=data.occurrence,
                    due=data.due,
                    at=now,
                    answer_hours=16,
                )
            )
    assert opened[0] is not None and opened[1] is None
    async with maker() as session, session.begin():
        await session.execute(update(Urge).values(answer_due_at=now - timedelta(minutes=1)))
        assert await escalation.escalate_due(session=session, now=now, answer_hours=16) == 1
    async with maker() as session, session.begin():
        assert await escalation.escalate_due(session=session, now=now, answer_hours=16) == 0
        urge = await session.get(Urge, opened[0].id)
        assert urge is not None and (urge.level, urge.recipient_role) == (3, "office")
    await engine.dispose()

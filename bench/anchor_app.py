"""The anchor of issue 10: the least a correct outbox write (and a 20-row read) costs on our stack.

A minimal FastAPI app on the same Python stack as the services (uvicorn with uvloop and httptools,
SQLAlchemy 2 async + asyncpg, pydantic v2). ``POST /tasks`` validates a body, inserts one task row and one
CloudEvent outbox row in one transaction and answers the task; ``GET /tasks?limit=20`` answers 20 rows.
No identity, no permissions, no trace: what is left is the floor the services are compared with.

    ANCHOR_DATABASE_URL=postgresql+asyncpg://… uvicorn bench.anchor_app:app --port 18190
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime

from fastapi import FastAPI
from pydantic import BaseModel
from sqlalchemy import Column, Date, DateTime, MetaData, String, Table, Text, insert, select
from sqlalchemy.ext.asyncio import create_async_engine

METADATA = MetaData()
TASK = Table(
    "anchor_task",
    METADATA,
    Column("id", String(36), primary_key=True),
    Column("title", String(200)),
    Column("lead_unit", String(15), index=True),
    Column("deadline", Date),
    # Indexed for the read's ORDER BY: without it the read sorted every task the write rounds had added,
    # so the anchor's read slowed down run by run (its PostgreSQL CPU per read 0.7 -> 2.1 ms in one run).
    Column("created_at", DateTime(timezone=True), index=True),
)
OUTBOX = Table(
    "anchor_outbox",
    METADATA,
    Column("id", String(36), primary_key=True),
    Column("event_type", String(120)),
    Column("routing_key", String(255)),
    Column("body", Text),
    Column("created_at", DateTime(timezone=True)),
    Column("published_at", DateTime(timezone=True), nullable=True),
)
# The same pool as the services' (luoshi_kit.db.make_engine: 20 kept, no overflow), so neither side pays for
# connections opened and closed per burst that the other does not.
ENGINE = create_async_engine(os.environ.get("ANCHOR_DATABASE_URL", ""), pool_size=20, max_overflow=0)


class TaskIn(BaseModel):
    title: str
    lead_unit: str
    deadline: date


class TaskOut(TaskIn):
    id: str
    created_at: datetime


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    async with ENGINE.begin() as conn:
        await conn.run_sync(METADATA.create_all)
    yield
    await ENGINE.dispose()


app = FastAPI(lifespan=lifespan)


@app.post("/tasks", status_code=201, response_model=TaskOut)
async def create(body: TaskIn) -> TaskOut:
    task = TaskOut(id=str(uuid.uuid4()), created_at=datetime.now(UTC), **body.model_dump())
    event = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "type": "tasking.task.assigned.v1",
        "source": "anchor",
        "time": task.created_at.isoformat(),
        "data": task.model_dump(mode="json"),
    }
    async with ENGINE.begin() as conn:
        await conn.execute(insert(TASK).values(**task.model_dump()))
        await conn.execute(
            insert(OUTBOX).values(
                id=event["id"],
                event_type=event["type"],
                routing_key=f"tasking.task.assigned.v1.{body.lead_unit}",
                body=json.dumps(event, ensure_ascii=False),
                created_at=task.created_at,
            )
        )
    return task


@app.get("/tasks", response_model=list[TaskOut])
async def read(limit: int = 20) -> list[TaskOut]:
    async with ENGINE.connect() as conn:
        rows = (await conn.execute(select(TASK).order_by(TASK.c.created_at.desc()).limit(limit))).all()
    return [TaskOut.model_validate(row._mapping) for row in rows]


# A run may give the anchor the services' process setting (``luoshi_cli.serving.tune_gc``) to compare like
# with like: ANCHOR_GC_YOUNG_THRESHOLD; unset, Python's own, the anchor as issue 10 defines it.
if gc_young := int(os.environ.get("ANCHOR_GC_YOUNG_THRESHOLD", "0")):
    from luoshi_cli.serving import tune_gc

    tune_gc(gc_young)

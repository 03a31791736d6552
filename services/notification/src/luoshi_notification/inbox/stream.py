"""The live inbox (server-sent events). Each stream polls its person's newest rows: any replica serves any
person, and nothing is lost across a restart (the client resumes with ``Last-Event-ID``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import Request

from luoshi_kit.errors import Problem
from luoshi_kit.paging import decode_cursor, encode_cursor
from luoshi_notification.config import NotificationSettings
from luoshi_notification.inbox import service
from luoshi_notification.inbox.schemas import NotificationOut


def frame(event: str, data: object, event_id: str | None = None) -> str:
    lines = [f"event: {event}"] + ([f"id: {event_id}"] if event_id else [])
    return "\n".join([*lines, f"data: {json.dumps(data, ensure_ascii=False, default=str)}", "", ""])


async def events_of(request: Request, person_id: str, last_event_id: str | None) -> AsyncIterator[str]:
    settings: NotificationSettings = request.app.state.settings
    maker = request.app.state.sessionmaker
    after: tuple[datetime, str] | None = None
    if last_event_id:
        try:
            after = decode_cursor(last_event_id)
        except Problem:
            after = None
    async with maker() as session:
        if after is None:
            newest = await service.newest(session=session, person_id=person_id)
            after = (newest.created_at, newest.id) if newest else None
        unread = await service.unread_count(session=session, person_id=person_id)
    yield "retry: 3000\n\n"
    yield frame("unread", {"unread": unread})
    idle = 0.0
    while not await request.is_disconnected():
        async with maker() as session:
            rows = await service.newer_than(session=session, person_id=person_id, after=after)
            if rows:
                unread = await service.unread_count(session=session, person_id=person_id)
        for row in rows:
            after = (row.created_at, row.id)
            out = NotificationOut.model_validate(row).model_dump(mode="json")
            yield frame("notification", out, encode_cursor(row.created_at, row.id))
        if rows:
            yield frame("unread", {"unread": unread})
            idle = 0.0
        elif idle >= settings.stream_heartbeat_seconds:
            yield ": keep-alive\n\n"
            idle = 0.0
        await asyncio.sleep(settings.stream_poll_seconds)
        idle += settings.stream_poll_seconds

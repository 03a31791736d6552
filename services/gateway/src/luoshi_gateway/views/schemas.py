from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class TimelineItem(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    event_id: str
    at: datetime
    event_type: str
    source: str
    actor_id: str | None
    org_code: str
    summary: str
    data: dict[str, object]


class Timeline(BaseModel):
    task_id: str
    title: str
    state: str
    items: list[TimelineItem]


class ChildFigures(BaseModel):
    org_code: str
    name: str
    tasks: int
    closed: int
    closed_on_time: int
    on_time_rate: float | None  # closed on time ÷ closed; None when nothing has closed yet
    overdue: int
    lagging: int
    by_colour: dict[str, int] = {}  # open tasks: green 按序时进度 / yellow 滞后 / red 超期
    points: float | None = None  # from scoring's events, once scoring publishes them
    rank: int | None = None
    ranking_period: str | None = None  # the published ranking points and rank come from (排名公示)


class Dashboard(BaseModel):
    org_code: str
    name: str
    by_state: dict[str, int]
    by_colour: dict[str, int] = {}
    overdue: int
    lagging: int
    children: list[ChildFigures]

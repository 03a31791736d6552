"""Events the tasking service publishes about key tasks (重点工作任务)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from luoshi_proto.divisions import CODE_PATTERN


class TaskAssigned(BaseModel):
    """tasking.task.assigned.v1 — a task was assigned (交办) to a lead unit (牵头单位)."""

    task_id: str
    title: str
    issuing_org: str = Field(pattern=CODE_PATTERN, description="The organisation that assigned the task")
    lead_unit: str = Field(pattern=CODE_PATTERN, description="牵头单位")
    co_units: list[str] = Field(default_factory=list, description="协办单位")
    deadline: date = Field(description="Business date in Asia/Shanghai")
    assigned_by: str = Field(description="Person id of who assigned it")
    assigned_at: datetime

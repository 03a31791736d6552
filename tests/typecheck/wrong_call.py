"""Deliberately wrong calls across packages: mypy must reject every one (never run, never imported).

``test_cross_module.py`` type-checks this file with the project's mypy configuration and asserts that
each line marked ``# expect: <error-code>`` is reported with that code, and that each ``reveal_type``
marked ``# reveal: <type>`` names that type, not ``Any``. The normal ``./dev mypy`` run excludes it.
If first-party imports silently became ``Any`` again, these calls would pass and the test fails.
"""

from __future__ import annotations

from typing import reveal_type

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.identity import Identity, sign_identity
from luoshi_kit.settings import KitSettings
from luoshi_proto.gateway.v1 import OrgUpserted
from luoshi_proto.tasking.v1 import TaskRef
from luoshi_tasking.tasks.models import Task
from luoshi_tasking.tasks.schemas import TaskCreate
from luoshi_tasking.tasks.service import check_lead_not_co_unit, create_task

PROVINCE = "520000000000"


async def planted(
    session: AsyncSession, identity: Identity, data: TaskCreate, settings: KitSettings, task: Task
) -> None:
    # tasking's service functions, called from outside the package
    await create_task(session=session, identity=identity, data=data, colour=42)  # expect: call-arg
    check_lead_not_co_unit("520102000000", "520103000000")  # expect: arg-type
    # the kit's Identity and settings
    sign_identity("520102000000", "secret")  # expect: arg-type
    print(settings.databse_url)  # expect: attr-defined
    # proto models: a field that does not exist, a value the field does not take
    OrgUpserted(code=PROVINCE, name="省", kind="government", level="province", colour=42)  # expect: call-arg
    OrgUpserted(code=PROVINCE, name="省", kind="ministry", level="province")  # expect: arg-type
    # an ORM column's Python type
    task.deadline = "2027-01-01"  # expect: assignment

    reveal_type(identity)  # reveal: luoshi_kit.identity.Identity
    reveal_type(settings)  # reveal: luoshi_kit.settings.KitSettings
    reveal_type(Task.lead_unit)  # reveal: sqlalchemy.orm.attributes.InstrumentedAttribute[str]
    reveal_type(task.lead_unit)  # reveal: str
    reveal_type(TaskRef)  # reveal: -> luoshi_proto.tasking.v1.TaskRef
    created = await create_task(session=session, identity=identity, data=data)
    reveal_type(created)  # reveal: luoshi_tasking.tasks.models.Task
    reveal_type(created.deadline)  # reveal: datetime.date

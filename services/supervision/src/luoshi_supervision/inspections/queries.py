"""Who sees which inspection, in SQL (the twin of ``rules.may_see``), and loading one inspection whole."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import not_found
from luoshi_kit.identity import Identity
from luoshi_kit.orgtree import within_subtree
from luoshi_supervision.inspections.models import Inspection, InspectionMember, InspectionTarget
from luoshi_supervision.inspections.rules import may_see, only_outside_roles

NOT_FOUND = "督查 Inspection"


def visible_to(identity: Identity) -> ColumnElement[bool]:
    """The inspections ``identity`` may see (see ``rules.may_see``)."""
    member = exists().where(
        InspectionMember.inspection_id == Inspection.id, InspectionMember.person_id == identity.person_id
    )
    if only_outside_roles(identity):
        return member
    announced = or_(Inspection.unannounced == false(), Inspection.conducted_at.is_not(None))
    target = exists().where(
        InspectionTarget.inspection_id == Inspection.id,
        within_subtree(InspectionTarget.org_code, identity.org_code),
    )
    return or_(member, within_subtree(Inspection.inspecting_org, identity.org_code), announced & target)


@dataclass
class Loaded:
    inspection: Inspection
    targets: list[str]
    members: list[InspectionMember]

    @property
    def member_ids(self) -> list[str]:
        return [m.person_id for m in self.members]

    def role_of(self, person_id: str) -> str | None:
        return next((m.role for m in self.members if m.person_id == person_id), None)


async def load(session: AsyncSession, inspection: Inspection) -> Loaded:
    targets = (
        await session.scalars(
            select(InspectionTarget.org_code)
            .where(InspectionTarget.inspection_id == inspection.id)
            .order_by(InspectionTarget.org_code)
        )
    ).all()
    members = (
        await session.scalars(
            select(InspectionMember)
            .where(InspectionMember.inspection_id == inspection.id)
            .order_by(InspectionMember.person_id)
        )
    ).all()
    return Loaded(inspection, list(targets), list(members))


async def get_visible(
    *, session: AsyncSession, identity: Identity, inspection_id: str, lock: bool = False
) -> Loaded:
    """The inspection if ``identity`` may see it; 404 otherwise (暗访 before it is conducted, for its
    targets)."""
    inspection = (
        await session.get(Inspection, inspection_id, with_for_update=lock)
        if len(inspection_id) <= 36
        else None
    )
    if inspection is None:
        raise not_found(NOT_FOUND)
    loaded = await load(session, inspection)
    if not may_see(
        identity,
        inspecting_org=inspection.inspecting_org,
        targets=loaded.targets,
        members=loaded.member_ids,
        unannounced=inspection.unannounced,
        conducted=inspection.conducted_at is not None,
    ):
        raise not_found(NOT_FOUND)
    return loaded

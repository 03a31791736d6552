"""The audit trail (审计日志), readable by administrators for their own subtree."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import AwareDatetime

from luoshi_gateway.audit import service
from luoshi_gateway.audit.schemas import AuditOut, AuditPage
from luoshi_gateway.auth.deps import UserDep
from luoshi_kit.deps import SessionDep
from luoshi_kit.errors import Problem
from luoshi_kit.paging import PageDep
from luoshi_proto.divisions import CODE_PATTERN

router = APIRouter(prefix="/api/v1/audit", tags=["audit 审计"])


@router.get("", response_model=AuditPage, summary="审计记录 Audit records of my subtree")
async def list_audit(
    request: Request,
    session: SessionDep,
    user: UserDep,
    page: PageDep,
    org: Annotated[str | None, Query(pattern=CODE_PATTERN, description="单位代码, 默认本单位")] = None,
    action: Annotated[str | None, Query(max_length=50, description="e.g. auth.sign_in")] = None,
    since: Annotated[AwareDatetime | None, Query()] = None,
    until: Annotated[AwareDatetime | None, Query()] = None,
) -> AuditPage:
    code = org or user.org_code
    if not user.can_see(code):
        raise Problem(404, "not-found", "单位不存在 Organisation not found")
    if not user.has_any("admin"):
        raise await service.deny(
            request=request,
            actor=user,
            action="audit.read",
            target_type="org",
            target_id=code,
            target_org=code,
            detail="仅管理员可查看审计记录 Only administrators read the audit trail",
        )
    rows, total, estimated = await service.list_records(
        session=session, org=code, action=action, since=since, until=until, page=page
    )
    return AuditPage.of([AuditOut.model_validate(r) for r in rows], total, page, estimated=estimated)

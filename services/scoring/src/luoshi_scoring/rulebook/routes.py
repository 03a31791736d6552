"""HTTP routes of the rule book (积分管理办法): everyone signed in reads it, rule editors add versions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from luoshi_kit.deps import SessionDep
from luoshi_kit.idempotency import IdempotencyKeyDep, idempotent
from luoshi_kit.identity import Identity
from luoshi_kit.permissions import Authenticated, require_roles
from luoshi_kit.timebase import business_today
from luoshi_scoring.rulebook import service
from luoshi_scoring.rulebook.schemas import RuleVersionIn, RuleVersionOut

router = APIRouter(prefix="/api/v1/scoring-rules", tags=["scoring-rules 积分规则"])
RuleEditor = Annotated[
    Identity,
    Depends(require_roles("admin", "office", detail="积分规则由系统管理员或办公厅(室)调整")),
]


@router.get(
    "",
    response_model=list[RuleVersionOut],
    dependencies=[Authenticated],
    summary="积分规则 Rules and versions",
)
async def list_rules(
    session: SessionDep, code: Annotated[str | None, Query(max_length=40)] = None
) -> list[RuleVersionOut]:
    return await service.list_versions(session=session, code=code)


@router.post("", status_code=201, response_model=RuleVersionOut, summary="调整积分规则 Add a rule version")
async def add_rule_version(
    body: RuleVersionIn, request: Request, session: SessionDep, identity: RuleEditor, key: IdempotencyKeyDep
) -> Response:
    async def work() -> RuleVersionOut:
        row = await service.add_version(session=session, identity=identity, data=body, today=business_today())
        await session.flush()
        return RuleVersionOut.model_validate(row)

    return await idempotent(
        request=request, session=session, identity=identity, key=key, payload=body, status_code=201, work=work
    )

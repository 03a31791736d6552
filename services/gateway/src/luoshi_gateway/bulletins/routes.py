"""情况通报 Bulletins: Word and PDF for an organisation and a period; the public version on the portal."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Response

from luoshi_gateway.auth.deps import UserDep
from luoshi_gateway.bulletins.render_docx import render_docx
from luoshi_gateway.bulletins.render_pdf import render_pdf
from luoshi_gateway.bulletins.rules import Bulletin, compose, parse_period
from luoshi_gateway.bulletins.service import gather
from luoshi_kit.deps import SessionDep
from luoshi_kit.identity import Identity
from luoshi_kit.timebase import business_today
from luoshi_proto.divisions import CODE_PATTERN

router = APIRouter(tags=["bulletins 情况通报"])
Format = Literal["docx", "pdf"]
PeriodKey = Annotated[str, Query(max_length=7, description="2026、2026-Q4 或 2026-11")]
MEDIA = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
DOCUMENT: dict[int | str, dict[str, Any]] = {
    200: {"content": {m: {} for m in MEDIA.values()}, "description": "通报文件 The bulletin"}
}
OrgCode = Annotated[str, Path(pattern=CODE_PATTERN)]


def _portal(org_code: str) -> Identity:
    """The public version is answered as the portal, reading the requested organisation's subtree."""
    return Identity(
        person_id="portal", username="portal", display_name="公开门户", org_code=org_code, roles=[]
    )


def _file(bulletin: Bulletin, fmt: Format, name: str) -> Response:
    content = render_docx(bulletin) if fmt == "docx" else render_pdf(bulletin)
    filename = quote(f"{name}.{fmt}")
    headers = {"Content-Disposition": f"attachment; filename*=UTF-8''{filename}"}
    return Response(content=content, media_type=MEDIA[fmt], headers=headers)


@router.get(
    "/api/v1/bulletins/{org_code}", response_class=Response, responses=DOCUMENT, summary="情况通报 A bulletin"
)
async def bulletin(
    org_code: OrgCode, session: SessionDep, user: UserDep, period: PeriodKey, format: Format = "docx"
) -> Response:
    facts = await gather(
        session=session, identity=user, org_code=org_code, period=parse_period(period), today=business_today()
    )
    return _file(compose(facts), format, f"{facts.org_name}{facts.period.label}督查通报")


@router.get(
    "/api/v1/public/bulletins/{org_code}",
    response_class=Response,
    responses=DOCUMENT,
    summary="情况通报（公开版）The public bulletin: totals and the published ranking",
    openapi_extra={"security": []},  # the portal: no sign-in
)
async def public_bulletin(
    org_code: str, session: SessionDep, period: PeriodKey, format: Format = "pdf"
) -> Response:
    facts = await gather(
        session=session,
        identity=_portal(org_code),
        org_code=org_code,
        period=parse_period(period),
        today=business_today(),
    )
    return _file(compose(facts, public=True), format, f"{facts.org_name}{facts.period.label}情况通报")

"""HTTP routes of the deadline engine: its rule settings, and a scan on demand for operators."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter

from luoshi_kit.deps import SessionDep
from luoshi_kit.errors import Problem
from luoshi_kit.permissions import Authenticated, ProvinceAdmin
from luoshi_kit.timebase import business_today
from luoshi_tasking.deadlines import service
from luoshi_tasking.deadlines.jobs import chunked_scan
from luoshi_tasking.deadlines.rules import DeadlineSettings
from luoshi_tasking.deadlines.schemas import DeadlineRulesIn, DeadlineRulesOut, ScanOut, ScanRequest

router = APIRouter(prefix="/api/v1", tags=["deadlines 超期提醒"])


async def _rules_out(session: SessionDep) -> DeadlineRulesOut:
    settings = await service.load_settings(session=session)
    updated_by, updated_at = await service.settings_audit(session=session)
    return DeadlineRulesOut(**asdict(settings), updated_by=updated_by, updated_at=updated_at)


@router.get(
    "/deadline-rules",
    response_model=DeadlineRulesOut,
    summary="提醒规则 Deadline rule settings",
    dependencies=[Authenticated],
)
async def get_rules(session: SessionDep) -> DeadlineRulesOut:
    return await _rules_out(session)


@router.put("/deadline-rules", response_model=DeadlineRulesOut, summary="修改提醒规则 Change the rules")
async def put_rules(body: DeadlineRulesIn, session: SessionDep, identity: ProvinceAdmin) -> DeadlineRulesOut:
    async with session.begin():
        await service.save_settings(
            session=session, settings=DeadlineSettings(**body.model_dump()), updated_by=identity.person_id
        )
    return await _rules_out(session)


@router.post("/deadline-scans", response_model=ScanOut, summary="立即扫描 Run a deadline scan now")
async def run_scan(session: SessionDep, identity: ProvinceAdmin, body: ScanRequest | None = None) -> ScanOut:
    today = (body.today if body else None) or business_today()
    if today > business_today():
        # Alerts raised for a future date would be real events, and never raised again when it comes.
        raise Problem(422, "scan-date-in-future", "扫描日期不能晚于今天 Scan date in the future")
    result, _settings = await chunked_scan(session=session, today=today)
    return ScanOut(
        skipped=result.skipped,
        today=result.today,
        candidates=result.candidates,
        raised=result.raised,
        seconds=result.seconds,
    )

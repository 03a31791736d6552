from __future__ import annotations

from fastapi import APIRouter, Request

from luoshi_kit.deps import IdentityDep, SessionDep
from luoshi_notification.preferences import service
from luoshi_notification.preferences.models import Preference
from luoshi_notification.preferences.schemas import PreferenceIn, PreferenceOut

router = APIRouter(prefix="/api/v1/notification-preferences", tags=["notification-preferences 接收设置"])


def _out(request: Request, pref: Preference) -> PreferenceOut:
    out = PreferenceOut.model_validate(pref)
    out.available = sorted(request.app.state.channels.adapters)
    return out


@router.get("/me", response_model=PreferenceOut, summary="我的接收设置 My channels, quiet hours and digest")
async def my_preferences(request: Request, session: SessionDep, identity: IdentityDep) -> PreferenceOut:
    async with session.begin():
        pref = await service.get(session=session, person_id=identity.person_id)
        return _out(request, pref)


@router.put(
    "/me", response_model=PreferenceOut, summary="修改我的接收设置 Change my channels, quiet hours and digest"
)
async def change_my_preferences(
    change: PreferenceIn, request: Request, session: SessionDep, identity: IdentityDep
) -> PreferenceOut:
    async with session.begin():
        pref = await service.put(session=session, person_id=identity.person_id, change=change)
        return _out(request, pref)

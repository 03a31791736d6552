"""Preference use cases. Keyword-only, never commit."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_kit.errors import Problem
from luoshi_notification.preferences.models import Preference
from luoshi_notification.preferences.schemas import PreferenceIn


def check(change: PreferenceIn) -> None:
    if "email" in change.channels and not change.email and not change.digest:
        raise Problem(422, "address-missing", "选择邮件渠道须填写邮箱 E-mail channel needs an address")
    if change.digest and not change.email:
        raise Problem(422, "address-missing", "每日汇总须填写邮箱 A digest needs an e-mail address")
    if "sms" in change.channels and not change.mobile:
        raise Problem(422, "address-missing", "选择短信渠道须填写手机号 SMS channel needs a mobile number")
    if (change.quiet_start is None) != (change.quiet_end is None):
        raise Problem(
            422, "quiet-hours", "免打扰时段须同时填写开始和结束 Quiet hours need a start and an end"
        )


async def get(*, session: AsyncSession, person_id: str) -> Preference:
    return await session.get(Preference, person_id) or Preference(
        person_id=person_id, channels=[], digest=False
    )


async def put(*, session: AsyncSession, person_id: str, change: PreferenceIn) -> Preference:
    check(change)
    pref = await session.get(Preference, person_id)
    if pref is None:
        pref = Preference(person_id=person_id)
        session.add(pref)
    pref.channels = sorted(set(change.channels))
    pref.email, pref.mobile = change.email, change.mobile
    pref.quiet_start, pref.quiet_end = change.quiet_start, change.quiet_end
    pref.digest = change.digest
    await session.flush()
    return pref

"""IM robots (DingTalk 钉钉, WeCom 企业微信, Feishu 飞书 …) through apprise.

Robots belong to a unit's work group, not to a person: ``LUOSHI_IM_ROBOTS`` maps organisation codes to
apprise URLs (``dingtalk://token/``, ``wecombot://key``, ``feishu://token``, or ``json://host/path`` for a
generic JSON endpoint), and a person's message goes to the robot of the nearest configured organisation
at or above theirs.
apprise speaks all three and many more, so no hand-written client per vendor.
"""

from __future__ import annotations

import json

import apprise

from luoshi_notification.channels.base import Outcome, Outgoing
from luoshi_proto.divisions import division_parts, is_within


def parse_robots(raw: str) -> dict[str, str]:
    if not raw.strip():
        return {}
    robots = json.loads(raw)
    if not isinstance(robots, dict):
        raise ValueError("LUOSHI_IM_ROBOTS must be a JSON object {org code: apprise URL}")
    return {str(code): str(url) for code, url in robots.items()}


def robot_for(org_code: str, robots: dict[str, str]) -> str | None:
    """The robot of the nearest configured organisation containing ``org_code`` (its own first)."""
    holders = [code for code in robots if is_within(org_code, code)]
    if not holders:
        return None
    nearest = max(holders, key=lambda code: (len(code) > 12, len(division_parts(code))))
    return robots[nearest]


class ImChannel:
    name = "im"

    async def send(self, message: Outgoing) -> Outcome:
        robot = apprise.Apprise()
        if not robot.add(message.address):
            return Outcome(ok=False, error="apprise does not understand the robot URL", permanent=True)
        try:
            ok = await robot.async_notify(title=f"[落实] {message.title}", body=message.body or message.title)
        except Exception as exc:  # apprise plugins raise what their HTTP libraries raise
            return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
        return Outcome(ok=True) if ok else Outcome(ok=False, error="the robot refused or did not answer")

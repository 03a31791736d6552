"""Who hears the scoring service's events (积分, 负面清单, 排名公示, 激励, 问责, 免督查)."""

from __future__ import annotations

from typing import Any

from luoshi_notification.routing.rules import Roles, Rule, hear
from luoshi_proto.envelope import CloudEvent

LEADERS: Roles = ("principal", "office")


def entry_unit(event: CloudEvent[Any]) -> list[str]:
    return [event.data.entry.org_code]


def ranking_scope(event: CloudEvent[Any]) -> list[str]:
    return [event.data.ranking.scope_org]


def ranked_units(event: CloudEvent[Any]) -> list[str]:
    return [standing.org_code for standing in event.data.standings]


def incentive_unit(event: CloudEvent[Any]) -> list[str]:
    return [event.data.incentive.org_code]


def decided_unit(event: CloudEvent[Any]) -> list[str]:
    return [event.data.decision.org_code]


def exempted_unit(event: CloudEvent[Any]) -> list[str]:
    return [event.data.exemption.org_code]


SCORING_RULES: dict[str, Rule] = {
    "scoring.points.changed.v1": Rule(
        "积分变动 {entry.points:+}: {entry.basis}",
        (hear(("office",), entry_unit),),
        "{entry.period} 合计 {total}",
    ),
    "scoring.negative_list.added.v1": Rule(
        "列入负面清单 ({entry.period}): {entry.basis}", (hear(("principal", "deputy"), entry_unit),)
    ),
    "scoring.ranking.approved.v1": Rule(
        "排名已审定, 待公示 ({ranking.period})", (hear(("office",), ranking_scope),)
    ),
    "scoring.ranking.published.v1": Rule(
        "排名已公示 ({ranking.period})", (hear(LEADERS, ranked_units), hear(("office",), ranking_scope))
    ),
    "scoring.incentive.granted.v1": Rule("获得激励: {incentive.title}", (hear(LEADERS, incentive_unit),)),
    "scoring.accountability.decided.v1": Rule(
        "问责决定: {decision.decision}", (hear(("principal",), decided_unit),), "依据: {decision.basis}"
    ),
    "scoring.exemption.granted.v1": Rule(
        "免督查: {exemption.starts_on} 至 {exemption.ends_on}",
        (hear(LEADERS, exempted_unit),),
        "{exemption.basis}",
    ),
    "scoring.exemption.expired.v1": Rule(
        "免督查期已结束 ({exemption.ends_on})", (hear(LEADERS, exempted_unit),)
    ),
}

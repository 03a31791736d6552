"""The demo's supervision and scoring (督查 and 积分), after the tasks: what the loop of issue 15 adds.

Per city taking part the province's 督查室 inspects its first county (专项督查, conducted, a finding → a
rectification item under listed supervision 挂牌督办, reported and verified: the listing lifted) and makes an
unannounced visit (暗访) to its second county (conducted, a finding → a listed rectification item the county
has reported and that waits for verification); one more 暗访 is planned and not yet conducted, invisible to
the county it targets. Once scoring has taken in the overdue tasks, every city and county files its quarter's
self-check (自查), the province ranks its cities and the first city its counties, each approved by the
government's principal and published on the public portal, and the best city is exempted from inspection
(免督查) next quarter.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from luoshi_cli.demo.api import Api, DemoError
from luoshi_cli.demo.plan import login_name

PROVINCE = "520000000000"
OFFICE = "province_office"
SCORED_WITHIN = 180  # seconds for scoring to take in the overdue tasks (a loaded distributed cluster)


@dataclass
class Oversight:
    inspections: list[str] = field(default_factory=list)
    rectifications: list[str] = field(default_factory=list)
    self_checks: int = 0
    rankings: list[str] = field(default_factory=list)  # published
    exempted: list[str] = field(default_factory=list)


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def next_quarter(day: date) -> tuple[date, date]:
    month = (day.month - 1) // 3 * 3 + 4
    start = date(day.year + (month > 12), (month - 1) % 12 + 1, 1)
    after = date(start.year + (start.month > 9), (start.month + 2) % 12 + 1, 1)
    return start, after - timedelta(days=1)


class Supervisor:
    def __init__(self, api: Api, today: date) -> None:
        self.api, self.today = api, today
        self.done = Oversight()

    async def inspect(
        self, county: str, name: str, *, kind: str, conduct: bool, theme: str = "重点任务落实"
    ) -> str:
        label = "暗访" if kind == "unannounced" else "专项督查"
        body = {
            "title": f"{label}: {name}{theme}情况",
            "kind": kind,
            "subject_kind": "theme",
            "subject": f"{name}{theme}",
            "target_orgs": [county],
            "planned_start": self.today.isoformat(),
            "planned_end": (self.today + timedelta(days=5)).isoformat(),
        }
        inspection = await self.api.post(OFFICE, "/api/v1/inspections", body, key=True)
        self.done.inspections.append(inspection["id"])
        if conduct:
            summary = {"conducted_on": self.today.isoformat(), "summary": "实地查看项目现场, 查阅台账资料"}
            await self.api.post(OFFICE, f"/api/v1/inspections/{inspection['id']}/conduct", summary)
        return str(inspection["id"])

    async def rectify(self, inspection: str, county: str, *, listed: bool, verify: bool) -> None:
        """A finding, its rectification item (挂牌督办 when ``listed``), the county's final report and,
        with ``verify``, the office's verification (销号)."""
        worker = login_name(county, "office")
        finding = {
            "inspection_id": inspection,
            "org_code": county,
            "title": "部分民生实事推进缓慢" if verify else "项目台账与实际进度不符",
        }
        made = await self.api.post(OFFICE, "/api/v1/findings", finding, key=True)
        order = {
            "leading_leader": f"p-{county}-principal",
            "working_days": 15,
            "requirements": "据实核查, 建立整改台账, 按期报送整改情况",
            "listed": listed,
        }
        item = await self.api.post(OFFICE, f"/api/v1/findings/{made['id']}/rectification", order, key=True)
        path = f"/api/v1/rectifications/{item['id']}"
        report = {"progress": "已逐项整改, 台账已更新", "evidence": "整改台账及现场照片", "final": True}
        await self.api.post(worker, f"{path}/reports", report, key=True)
        if verify:
            await self.api.post(OFFICE, f"{path}/verify", {"comment": "经核查整改到位, 同意销号"})
        self.done.rectifications.append(item["id"])

    async def inspections(self, counties: list[tuple[str, str]]) -> None:
        """``counties``: (code, name) of each city's first two counties, city by city."""
        for n, (code, name) in enumerate(counties):
            if n % 2 == 0:
                inspection = await self.inspect(code, name, kind="special", conduct=True)
                await self.rectify(inspection, code, listed=True, verify=True)
            else:
                inspection = await self.inspect(code, name, kind="unannounced", conduct=True)
                await self.rectify(inspection, code, listed=True, verify=False)
        if counties:  # the first city's second county: 云岩区 in Guizhou
            code, name = counties[min(1, len(counties) - 1)]
            await self.inspect(code, name, kind="unannounced", conduct=False, theme="民生实事办理")

    async def scored(self, overdue: list[str]) -> None:
        """Wait until scoring has listed every overdue task (the scan's events come after every earlier
        one, so the ledger then holds the close-outs as well)."""
        deadline = time.monotonic() + SCORED_WITHIN
        wanted = set(overdue)
        while True:
            page = await self.api.get(OFFICE, "/api/v1/negative-list", limit=200)
            if wanted <= {n["task_id"] for n in page["items"]}:
                return
            if time.monotonic() > deadline:
                raise DemoError(
                    f"scoring has not listed the {len(wanted)} overdue tasks within {SCORED_WITHIN}s"
                )
            await asyncio.sleep(1)

    async def self_check(self, unit: str) -> None:
        period = quarter_of(self.today)
        page = await self.api.get(OFFICE, f"/api/v1/points/standings/{unit}", period=period)
        body = {
            "period": period,
            "claimed_points": page["standing"]["points"],
            "summary": "本季度重点任务总体按序时推进, 滞后任务已制定赶超措施",
            "explanation": "与台账积分一致",
        }
        await self.api.post(login_name(unit, "office"), "/api/v1/self-checks", body, key=True)
        self.done.self_checks += 1

    async def rank(self, scope: str, tier: str, publisher: str) -> dict[str, Any]:
        body = {"scope_org": scope, "tier": tier, "period": quarter_of(self.today)}
        ranking = await self.api.post(publisher, "/api/v1/rankings", body, key=True)
        path = f"/api/v1/rankings/{ranking['id']}"
        await self.api.post(login_name(scope, "principal"), f"{path}/approve")
        published: dict[str, Any] = await self.api.post(publisher, f"{path}/publish")
        self.done.rankings.append(published["id"])
        return published

    async def exempt_best(self, ranking: dict[str, Any]) -> None:
        best = min(ranking["lines"], key=lambda line: line["position"])
        start, end = next_quarter(self.today)
        body = {
            "org_code": best["org_code"],
            "starts_on": start.isoformat(),
            "ends_on": end.isoformat(),
            "basis": f"{ranking['period']} 综合排名第一, 成效特别显著",
        }
        await self.api.post(OFFICE, "/api/v1/exemption-grants", body, key=True)
        self.done.exempted.append(best["org_code"])


async def oversee(
    api: Api,
    today: date,
    *,
    cities: list[str],
    counties: dict[str, list[tuple[str, str]]],
    overdue: list[str],
) -> Oversight:
    """Everything above, for ``cities`` and their ``counties`` ((code, name), the first two used)."""
    supervisor = Supervisor(api, today)
    await api.sign_in(OFFICE)
    for code in cities:
        await api.sign_in(login_name(code, "principal"))
    await api.sign_in(login_name(PROVINCE, "principal"))
    pairs = [county for code in cities for county in counties[code][:2]]
    await supervisor.inspections(pairs)
    await supervisor.scored(overdue)
    for unit in [*cities, *(code for code, _ in pairs)]:
        await supervisor.self_check(unit)
    province = await supervisor.rank(PROVINCE, "city", OFFICE)
    if cities:
        await supervisor.rank(cities[0], "county", login_name(cities[0], "office"))
    await supervisor.exempt_best(province)
    return supervisor.done

"""``luoshi demo``: loads a living system through the gateway's public API (so it works against the
embedded and the distributed mode alike and every step goes through the real rules).

1. accounts: the administrator gives sign-in names to the seeded people of the units taking part
   (``<code>_office`` for a government's 督查室, ``<code>_principal`` for its 主要负责同志 …), all
   with the demo password;
2. tasks down the four tiers, each following its scenario (``plan.CYCLE``) to its end state, with
   落实反馈, 延期申请 and their decisions; one task per city decomposed (分解) into quarterly subtasks for
   two counties, one of them decomposed again to a township;
3. time passes for the overdue scenarios (``backdate.py``), a deadline scan raises their alerts;
4. urges (催办) of the lagging tasks, some answered;
5. inspections, rectification, self-checks, rankings and an exemption (``oversight.py``).

It refuses to run twice: the first account it names is the marker.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from luoshi_cli.demo.api import Api, DemoError
from luoshi_cli.demo.backdate import Backdated, backdate
from luoshi_cli.demo.oversight import Oversight, oversee
from luoshi_cli.demo.plan import (
    CATEGORIES,
    SOURCES,
    Scenario,
    Shape,
    dates_for,
    login_name,
    scenario,
    title_for,
)

PROVINCE = "520000000000"
ADMIN = "admin"
PROVINCE_OFFICE = "province_office"


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    level: str

    @property
    def worker(self) -> str:
        """The account that acts for the unit: its 督查室, or a township's 主要负责同志."""
        return login_name(self.code, "principal" if self.level == "township" else "office")


@dataclass
class Loaded:
    tasks: list[str] = field(default_factory=list)
    by_state: Counter[str] = field(default_factory=Counter)
    by_colour: Counter[str] = field(default_factory=Counter)
    accounts: list[str] = field(default_factory=list)
    decomposed: list[str] = field(default_factory=list)  # the decomposition's parents and subtasks
    urges: int = 0
    requests: int = 0
    oversight: Oversight = field(default_factory=Oversight)


async def _children(api: Api, code: str, limit: int) -> list[Unit]:
    page = await api.get(ADMIN, f"/api/v1/orgs/{code}/children", limit=200)
    units = [Unit(o["code"], o["name"], o["level"]) for o in page["items"] if o["kind"] == "government"]
    return units[:limit]


async def _gather(jobs: list[Awaitable[Any]]) -> list[Any]:
    return list(await asyncio.gather(*jobs))


async def _enable(api: Api, unit: Unit, role: str) -> str:
    username = login_name(unit.code, role)
    person = f"p-{unit.code}-{role}"
    await api.call(ADMIN, "PATCH", f"/api/v1/people/{person}", json={"username": username})
    await api.post(ADMIN, f"/api/v1/people/{person}/password", {"new_password": api.password})
    return username


async def already_loaded(api: Api) -> bool:
    person = await api.get(ADMIN, f"/api/v1/people/p-{PROVINCE}-principal")
    return bool(person.get("username") == login_name(PROVINCE, "principal"))


async def _accounts(api: Api, units: list[Unit]) -> list[str]:
    jobs: list[Awaitable[str]] = []
    for unit in units:
        roles: tuple[str, ...] = ("principal", "office", "handler")
        if unit.level == "township":
            roles = ("principal", "handler")
        if unit.code == PROVINCE:
            roles = ("principal",)
        jobs += [_enable(api, unit, role) for role in roles]
    names: list[str] = await _gather(jobs)
    await _gather([api.sign_in(u.worker) for u in units if u.code != PROVINCE])
    return names


def _report(progress: int) -> dict[str, Any]:
    return {
        "progress_percent": progress,
        "progress": f"已完成年度目标的{progress}%，按月调度推进。",
        "problems": "无" if progress >= 40 else "要素保障不足，项目前期手续办理偏慢。",
        "measures": "加强统筹调度，压实责任，倒排工期。",
    }


class Loader:
    def __init__(self, api: Api, shape: Shape, today: date) -> None:
        self.api, self.shape, self.today = api, shape, today
        self.index = 0
        self.backdated: list[Backdated] = []
        self.pending_extensions: list[tuple[str, str]] = []  # (lead worker, task id)
        self.lagging: list[tuple[Unit, Unit, str, str]] = []  # issuer, lead, task id, title
        self.loaded = Loaded()

    def _next(self) -> tuple[int, Scenario]:
        i = self.index
        self.index += 1
        return i, scenario(i)

    async def task(self, issuer: str, lead: Unit, issuing: Unit, source: int) -> None:
        i, s = self._next()
        d = dates_for(s, self.today, i)
        title = title_for(i, lead.name)
        level, ref = SOURCES[source]
        body: dict[str, Any] = {
            "title": title,
            "description": f"{level}部署，{lead.name}牵头，按序时进度推进。",
            "source": f"{level}关于{title[len(lead.name) :]}的部署",
            "source_level": level,
            "source_ref": ref,
            "category": CATEGORIES[i % len(CATEGORIES)],
            "lead_unit": lead.code,
            "deadline": d.deadline.isoformat(),
            "principal_id": f"p-{lead.code}-principal",
            "handler_id": f"p-{lead.code}-handler",
        }
        if d.start:
            body["start_date"] = d.start.isoformat()
        task = await self.api.post(issuer, "/api/v1/tasks", body, key=True)
        await self._follow(issuer, lead.worker, task["id"], s)
        if d.backdated and d.created:
            self.backdated.append(Backdated(task["id"], d.backdated, d.created))
        if s.extension == "pending":
            self.pending_extensions.append((lead.worker, task["id"]))
        if s.lagging:
            self.lagging.append((issuing, lead, task["id"], title))
        self.loaded.tasks.append(task["id"])
        self.loaded.by_state[s.state] += 1
        self.loaded.by_colour[s.colour] += 1

    async def _follow(self, issuer: str, worker: str, task_id: str, s: Scenario) -> None:
        path = f"/api/v1/tasks/{task_id}"
        if s.state == "cancelled":
            await self.api.post(issuer, f"{path}/cancel", {"reason": "上级部署调整，任务并入其他事项"})
            return
        if s.state == "returned":
            await self.api.post(
                worker, f"{path}/return", {"reason": "不属于本单位职责，建议改由住建部门牵头"}
            )
            return
        if s.state == "assigned":
            return
        await self.api.post(worker, f"{path}/accept")
        if s.progress:
            await self.api.post(worker, f"{path}/reports", _report(min(s.progress, 90)))
        if s.extension == "approved":
            task = await self.api.get(worker, path)
            wanted = date.fromisoformat(task["deadline"]) + timedelta(days=30)
            body = {"requested_deadline": wanted.isoformat(), "reason": "征地手续未完成，需顺延一个月"}
            ext = await self.api.post(worker, f"{path}/extensions", body, key=True)
            decision = {"decision": "approve", "comment": "同意延期，请加快推进"}
            await self.api.post(issuer, f"{path}/extensions/{ext['id']}/decision", decision)
        if s.state in ("completed", "closed", "archived"):
            await self.api.post(worker, f"{path}/reports", _report(100))
            await self.api.post(worker, f"{path}/complete", {"note": "已按要求完成，请复核"})
        if s.state in ("closed", "archived"):
            await self.api.post(issuer, f"{path}/review", {"decision": "approve", "reason": "经核查已完成"})
        if s.state == "archived":
            await self.api.post(issuer, f"{path}/archive", {"note": "资料齐全，办结归档"})

    async def decompose(self, city: Unit, counties: list[Unit], townships: dict[str, list[Unit]]) -> None:
        """A provincial yearly task the city splits into quarters for two counties; the first county
        passes its first quarter on to a township."""
        deadline = date(self.today.year + 1, 12, 31)
        body = {
            "title": f"{city.name}重点项目建设攻坚（分解落实）",
            "lead_unit": city.code,
            "deadline": deadline.isoformat(),
            "nature": "yearly",
            "source_level": "省政府",
            "source_ref": "黔府发〔2026〕8号",
            "category": "目标体系",
        }
        parent = await self.api.post(PROVINCE_OFFICE, "/api/v1/tasks", body, key=True)
        self.loaded.decomposed.append(parent["id"])
        path = f"/api/v1/tasks/{parent['id']}"
        await self.api.post(city.worker, f"{path}/accept")
        proposal = await self.api.get(city.worker, f"{path}/decomposition/proposal", kind="quarter")
        items = []
        for item in proposal["items"][:2]:
            for county in counties:
                items.append({**item, "title": f"{county.name}{item['title']}", "lead_unit": county.code})
        created = await self.api.post(city.worker, f"{path}/subtasks", {"items": items}, key=True)
        self.loaded.decomposed += [sub["id"] for sub in created]
        for sub in created:
            lead = next(c for c in counties if c.code == sub["lead_unit"])
            await self.api.post(lead.worker, f"/api/v1/tasks/{sub['id']}/accept")
            await self.api.post(lead.worker, f"/api/v1/tasks/{sub['id']}/reports", _report(30))
        first = next(s for s in created if s["lead_unit"] == counties[0].code)
        below = townships.get(counties[0].code) or []
        if below:
            item = {
                "title": f"{below[0].name}{first['title']}",
                "lead_unit": below[0].code,
                "deadline": first["deadline"],
            }
            path = f"/api/v1/tasks/{first['id']}/subtasks"
            sub = (await self.api.post(counties[0].worker, path, {"items": [item]}, key=True))[0]
            await self.api.post(below[0].worker, f"/api/v1/tasks/{sub['id']}/accept")
            await self.api.post(below[0].worker, f"/api/v1/tasks/{sub['id']}/reports", _report(60))
            self.loaded.decomposed.append(sub["id"])

    async def after_time_passed(self, tasking_url: str, gateway_url: str) -> None:
        await backdate(tasking_url, gateway_url, self.backdated)
        for worker, task_id in self.pending_extensions:
            body = {
                "requested_deadline": (self.today + timedelta(days=20)).isoformat(),
                "reason": "受雨季影响工期滞后，申请延期",
            }
            await self.api.post(worker, f"/api/v1/tasks/{task_id}/extensions", body, key=True)
        await self.api.post(ADMIN, "/api/v1/deadline-scans")

    async def urges(self) -> None:
        for n, (issuing, lead, task_id, title) in enumerate(self.lagging):
            issuer = PROVINCE_OFFICE if issuing.code == PROVINCE else issuing.worker
            body = {
                "kind": "urge",
                "org_code": lead.code,
                "message": f"「{title}」进度滞后于序时进度，请加快推进并说明原因。",
                "answer_due": (self.today + timedelta(days=3)).isoformat(),
                "task_id": task_id,
                "task_title": title,
            }
            urge = await self.api.post(issuer, "/api/v1/urges", body, key=True)
            self.loaded.urges += 1
            if n % 2 == 0:
                answer = {"reason": "项目前期手续办理滞后", "plan": "倒排工期，每周调度，月底前赶上序时进度"}
                await self.api.post(lead.worker, f"/api/v1/urges/{urge['id']}/answer", answer)


async def load_demo(
    *, base_url: str, password: str, shape: Shape, today: date, tasking_url: str, gateway_url: str
) -> Loaded:
    api = Api(base_url, password)
    try:
        await api.sign_in(ADMIN)
        await api.sign_in(PROVINCE_OFFICE)
        if await already_loaded(api):
            raise DemoError("演示数据已载入 the demo data is loaded already (it runs once per data folder)")
        province = Unit(PROVINCE, "贵州省", "province")
        cities = await _children(api, PROVINCE, shape.cities)
        counties = {c.code: await _children(api, c.code, shape.counties_per_city) for c in cities}
        townships = {
            k.code: await _children(api, k.code, shape.townships_per_county)
            for ks in counties.values()
            for k in ks
        }
        units = [province, *cities, *(k for ks in counties.values() for k in ks)]
        units += [t for ts in townships.values() for t in ts]
        loader = Loader(api, shape, today)
        loader.loaded.accounts = await _accounts(api, units)
        jobs: list[Awaitable[None]] = []
        for city in cities:
            for _ in range(shape.province_to_city):
                jobs.append(loader.task(PROVINCE_OFFICE, city, province, 0))
            for county in counties[city.code]:
                for _ in range(shape.city_to_county):
                    jobs.append(loader.task(city.worker, county, city, 1))
                for township in townships[county.code]:
                    for _ in range(shape.county_to_township):
                        jobs.append(loader.task(county.worker, township, county, 2))
            if len(counties[city.code]) >= 2:
                jobs.append(loader.decompose(city, counties[city.code], townships))
        await _gather(jobs)
        await loader.after_time_passed(tasking_url, gateway_url)
        await loader.urges()
        loader.loaded.oversight = await oversee(
            api,
            today,
            cities=[c.code for c in cities],
            counties={c.code: [(k.code, k.name) for k in counties[c.code]] for c in cities},
            overdue=[row.task_id for row in loader.backdated],
        )
        loader.loaded.requests = api.requests
        return loader.loaded
    finally:
        await api.close()

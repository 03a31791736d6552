"""What the demo loads (演示数据), as plain data: which units take part, and which tasks end in which
state and colour. No I/O: ``load.py`` drives it through the gateway's API.

Every task gets a *scenario* from a fixed cycle, so every tier (province → city, city → county,
county → township) shows every state (已交办, 已退回, 落实中, 待复核, 已销号, 已归档, 已撤销) and every colour
(green on schedule, yellow behind 序时进度, red overdue — the last by backdating the deadline, the one
thing an API cannot do, since time has to pass).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

State = Literal["assigned", "returned", "accepted", "completed", "closed", "archived", "cancelled"]
Colour = Literal["green", "yellow", "red"]


@dataclass(frozen=True)
class Scenario:
    name: str
    state: State  # where the task ends
    colour: Colour  # the colour the API shows at the end
    progress: int = 0  # the last report's progress (0: no report)
    lagging: bool = False  # started long ago, little done: yellow
    overdue: bool = False  # deadline backdated into the past: red
    extension: Literal["approved", "pending", ""] = ""


CYCLE: tuple[Scenario, ...] = (
    Scenario("待签收", "assigned", "green"),
    Scenario("推进正常", "accepted", "green", progress=40),
    Scenario("推进滞后", "accepted", "yellow", progress=10, lagging=True),
    Scenario("已超期", "accepted", "red", progress=30, overdue=True),
    Scenario("待复核", "completed", "green", progress=100),
    Scenario("已销号", "closed", "green", progress=100),
    Scenario("已退回", "returned", "green"),
    Scenario("已延期", "accepted", "green", progress=50, extension="approved"),
    Scenario("办结归档", "archived", "green", progress=100),
    Scenario("超期申请延期", "accepted", "red", progress=20, overdue=True, extension="pending"),
    Scenario("已撤销", "cancelled", "green"),
    Scenario("刚签收", "accepted", "green"),
)

THEMES = (
    "大数据战略行动",
    "巩固拓展脱贫攻坚成果",
    "乡村振兴示范创建",
    "新型工业化重点项目",
    "新型城镇化建设",
    "农业现代化产业园",
    "旅游产业化提质增效",
    "生态文明建设",
    "营商环境优化",
    "数字政府建设",
    "安全生产专项整治",
    "河长制湖长制",
    "高标准农田建设",
    "义务教育薄弱环节改善",
    "县域医共体建设",
    "城镇老旧小区改造",
    "招商引资签约项目落地",
    "重点民生实事",
)
CATEGORIES = ("目标体系", "责任体系", "工作体系", "政策体系", "督查体系", "评价体系", "保障体系")
SOURCES = (
    ("省政府", "黔府发〔2026〕8号"),
    ("市政府", "市政府常务会议纪要"),
    ("县政府", "县政府专题会议纪要"),
)


def scenario(index: int) -> Scenario:
    return CYCLE[index % len(CYCLE)]


@dataclass(frozen=True)
class Dates:
    """Dates of a task of a scenario, relative to today (business date, Asia/Shanghai)."""

    start: date | None
    deadline: date  # as created (the API refuses a past deadline)
    backdated: date | None  # the deadline it gets afterwards (overdue scenarios)
    created: date | None  # and its creation date then


def dates_for(s: Scenario, today: date, index: int) -> Dates:
    spread = index % 7  # deadlines spread over a few weeks, not all on one day
    if s.lagging:
        return Dates(today - timedelta(days=150), today + timedelta(days=45 + spread), None, None)
    if s.overdue:
        backdated = today - timedelta(days=5 + 3 * spread)
        return Dates(None, today + timedelta(days=30), backdated, today - timedelta(days=120))
    return Dates(None, today + timedelta(days=60 + 15 * spread), None, None)


def title_for(index: int, unit_name: str) -> str:
    return f"{unit_name}{THEMES[index % len(THEMES)]}"


@dataclass(frozen=True)
class Shape:
    """How much to load: the cities taking part, counties per city, townships per county and tasks per
    issuing unit and lead unit at each tier. The default is ~300 tasks; the test uses a small one."""

    cities: int = 9
    counties_per_city: int = 2
    townships_per_county: int = 2
    province_to_city: int = 5
    city_to_county: int = 4
    county_to_township: int = 3


def login_name(code: str, role: str) -> str:
    """520300000000 office → 520300_office; a township keeps its nine digits."""
    short = code[:6] if code[6:] == "000000" else code[:9]
    return f"{short}_{role}"

"""情况通报 — what a bulletin says, from the facts of an organisation and a period (plain functions, no I/O).

The layout follows what government offices circulate (督查通报): a red masthead with the issuing office, the
issue and date, a title, the addressees, then numbered sections — overall progress, completed, lagging and
overdue by unit with reasons, supervision and rectification, points and ranking, next steps — and the
issuer and date at the foot. The public version keeps only aggregate figures and the published ranking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from luoshi_kit.errors import Problem

_QUARTERS = "一二三四"
_PERIOD = re.compile(r"^(?P<year>\d{4})(-(?:Q(?P<quarter>[1-4])|(?P<month>0[1-9]|1[0-2])))?$")


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date  # inclusive
    label: str


def parse_period(key: str) -> Period:
    """``2026`` (a year), ``2026-Q4`` (a quarter) or ``2026-11`` (a month)."""
    m = _PERIOD.match(key)
    if m is None or not 2000 <= int(m["year"]) <= 2099:
        raise Problem(
            422,
            "invalid-period",
            "期间格式有误 Invalid period",
            "应为 2000–2099 年的 2026、2026-Q4 或 2026-11",
        )
    year = int(m["year"])
    if m["quarter"]:
        q = int(m["quarter"])
        start, end = date(year, 3 * q - 2, 1), _month_end(year, 3 * q)
        return Period(key, start, end, f"{year}年第{_QUARTERS[q - 1]}季度")
    if m["month"]:
        month = int(m["month"])
        return Period(key, date(year, month, 1), _month_end(year, month), f"{year}年{month}月")
    return Period(key, date(year, 1, 1), date(year, 12, 31), f"{year}年")


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


@dataclass(frozen=True)
class UnitFigures:
    name: str
    tasks: int
    closed: int
    closed_on_time: int
    overdue: int
    lagging: int
    points: float | None = None
    rank: int | None = None


@dataclass(frozen=True)
class LateTask:
    title: str
    unit: str
    deadline: date
    overdue: bool
    progress_percent: int
    reason: str | None


@dataclass(frozen=True)
class Facts:
    org_name: str
    period: Period
    issued_on: date
    own: UnitFigures
    children: list[UnitFigures]
    completed: list[tuple[str, str, date, bool]]  # title, unit, completed on, on time
    completed_total: int
    late: list[LateTask]
    supervision: dict[str, int]  # event kind (zh-CN) -> count in the period
    ranking_published: bool


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    table: Table | None = None


@dataclass
class Bulletin:
    masthead: str
    issue: str
    issuer: str
    issued_on: date
    title: str
    addressees: str
    sections: list[Section]
    public: bool

    def text(self) -> str:
        """Everything it says, in reading order (for search, tests and plain-text mail)."""
        parts = [self.masthead, self.issue, self.title, self.addressees]
        for section in self.sections:
            parts += [section.title, *section.paragraphs]
            if section.table:
                parts += [" ".join(section.table.headers), *(" ".join(r) for r in section.table.rows)]
        return "\n".join([*parts, self.issuer, chinese_date(self.issued_on)])


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _rate(on_time: int, closed: int) -> str:
    return f"{100 * on_time / closed:.1f}%" if closed else "—"


def _overall(f: Facts, public: bool = False) -> Section:
    own = f.own
    open_tasks = own.tasks - own.closed
    return Section(
        "一、总体进展",
        [
            f"{f.period.label}，{f.org_name}及所属单位共承担重点任务 {own.tasks} 项，已办结 {own.closed} 项，"
            f"其中按时办结 {own.closed_on_time} 项（按时办结率 {_rate(own.closed_on_time, own.closed)}）；"
            f"正在推进 {open_tasks} 项，其中超期 {own.overdue} 项、进度滞后 {own.lagging} 项。"
        ],
        Table(
            ["单位", "任务数", "已办结", "按时办结率", "超期", "滞后"],
            [
                [
                    c.name,
                    str(c.tasks),
                    str(c.closed),
                    _rate(c.closed_on_time, c.closed),
                    str(c.overdue),
                    str(c.lagging),
                ]
                for c in f.children
            ],
        )
        if f.children and not public  # the public sees totals; figures by unit are the office's
        else None,
    )


def _completed(f: Facts) -> Section:
    if not f.completed_total:
        return Section("二、已完成事项", ["本期无办结事项。"])
    shown = "；".join(
        f"{unit}“{title}”（{chinese_date(day)}办结{'' if on_time else '，超期'}）"
        for title, unit, day, on_time in f.completed
    )
    more = (
        f"等 {f.completed_total} 项" if f.completed_total > len(f.completed) else f"共 {f.completed_total} 项"
    )
    return Section("二、已完成事项", [f"本期办结：{shown}{more}。"])


def _late(f: Facts) -> Section:
    if not f.late:
        return Section("三、滞后和超期事项", ["本期无滞后或超期事项。"])
    rows = [
        [
            t.unit,
            t.title,
            "超期" if t.overdue else "滞后",
            chinese_date(t.deadline),
            f"{t.progress_percent}%",
            t.reason or "未说明原因",
        ]
        for t in f.late
    ]
    return Section(
        "三、滞后和超期事项",
        [f"以下 {len(f.late)} 项任务进度滞后或已超期，请责任单位说明原因、提出整改措施并限期完成。"],
        Table(["责任单位", "任务", "情况", "完成时限", "进度", "原因"], rows),
    )


def _supervision(f: Facts) -> Section:
    if not f.supervision:
        return Section("四、督查督办和整改情况", ["本期未开展督查督办。"])
    counts = "，".join(f"{kind} {n} 次" for kind, n in f.supervision.items())
    return Section("四、督查督办和整改情况", [f"本期{counts}。"])


def _ranking(f: Facts, public: bool) -> Section:
    ranked = sorted((c for c in f.children if c.rank is not None), key=lambda c: c.rank or 0)
    if not f.ranking_published or not ranked:
        return Section("五、积分和排名", ["本期排名尚未经本级政府主要负责同志批准公布。"])
    rows = [[str(c.rank), c.name, f"{c.points:g}" if c.points is not None else "—"] for c in ranked]
    title = "二、积分和排名" if public else "五、积分和排名"
    return Section(
        title, ["经本级政府主要负责同志批准，现将本期排名公布如下。"], Table(["名次", "单位", "积分"], rows)
    )


def _next_steps(f: Facts) -> Section:
    steps = ["各责任单位要对照任务清单，逐项抓好落实，确保按时办结。"]
    if f.late:
        units = "、".join(dict.fromkeys(t.unit for t in f.late))
        steps.append(f"{units}要针对滞后和超期事项，于 5 个工作日内向本级政府报送原因和整改措施。")
    steps.append("督查室将持续跟踪督办，对整改不力的予以通报。")
    return Section("六、下一步工作", steps)


def compose(facts: Facts, *, public: bool = False) -> Bulletin:
    issuer = f"{facts.org_name}督查室"
    if public:
        sections = [_overall(facts, public=True), _ranking(facts, public=True)]
    else:
        sections = [
            _overall(facts),
            _completed(facts),
            _late(facts),
            _supervision(facts),
            _ranking(facts, False),
        ]
        sections.append(_next_steps(facts))
    return Bulletin(
        masthead="督 查 通 报",
        issue=f"{facts.period.label}",
        issuer=issuer,
        issued_on=facts.issued_on,
        title=f"关于{facts.period.label}重点任务落实情况的通报",
        addressees="所属各单位：",
        sections=sections,
        public=public,
    )

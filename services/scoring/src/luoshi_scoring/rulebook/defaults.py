"""The scoring rules as the platform ships them (积分管理办法, version 1 of every rule code).

Each code is one kind of occurrence; ``per`` says what one unit of it is (an occurrence, or a working day).
An administrator changes points, scope and period kind by adding a version (``rulebook/service.py``), never by
editing these. The code and its meaning are fixed: a new kind of occurrence is a new code in a release.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from luoshi_scoring.rulebook.rules import RuleVersion

SHIPPED_FROM = date(2020, 1, 1)


def _rule(
    code: str, title: str, points: str, per: str = "occurrence", period_kind: str = "quarter"
) -> RuleVersion:
    return RuleVersion(
        code=code,
        version=1,
        title=title,
        points=Decimal(points),
        per="working_day" if per == "working_day" else "occurrence",
        scope_org=None,
        tier=None,
        effective_from=SHIPPED_FROM,
        period_kind="year" if period_kind == "year" else "quarter",
    )


DEFAULT_RULES: tuple[RuleVersion, ...] = (
    _rule("task_closed_on_time", "重点任务按时完成并销号", "3"),
    _rule("task_closed_late", "重点任务逾期完成并销号", "1"),
    _rule("task_overdue_day", "重点任务超期 (每个工作日)", "-0.5", per="working_day"),
    _rule("task_overdue", "重点任务超期未完成", "-2"),
    _rule("report_missing", "未按时报送落实情况", "-1"),
    _rule("extension_approved", "申请延期获批准", "-0.5"),
    _rule("extension_late", "超过完成时限后申请延期", "-1"),
    _rule("finding_recorded", "督查发现问题", "-1"),
    _rule("rectification_verified", "整改按期完成并销号", "1"),
    _rule("rectification_verified_late", "整改逾期完成", "-0.5"),
    _rule("rectification_rejected", "整改不到位", "-2"),
    _rule("listed_supervision", "被挂牌督办", "-2"),
    _rule("urge_unanswered", "催办督办未按时回复", "-1"),
    _rule("acceptance_timely", "平台使用: 按时签收任务", "0.5", period_kind="year"),
    _rule("feedback_timely", "平台使用: 按时落实反馈", "0.2", period_kind="year"),
    _rule("negative_listed", "列入负面清单 (目标绩效考核扣分)", "-3"),
)
RULE_CODES: frozenset[str] = frozenset(r.code for r in DEFAULT_RULES)
MANUAL = "manual"  # 手工加减分 (with a required basis)
CORRECTION = "correction"  # 更正 (a compensating entry)

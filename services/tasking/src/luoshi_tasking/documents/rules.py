"""学习解读 deadlines as plain functions (seed 三, 重要文件学习解读报告制度).

Reading of the seed: a study session (学习解读会) is due within 5 working days after the issue
date, i.e. on the 5th working day after it at the latest. A document marked especially important
(特别重大) is studied "第一时间": on the issue date itself when that is a working day, otherwise on the
next working day. The report to the government is due within 2 working days after the session,
i.e. on the 2nd working day after the session date. An administrator can change every number:
``important_study_working_days`` 0 means "the same day or the next working day", n > 0 means the
n-th working day after the issue date like the ordinary rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from luoshi_kit.errors import Problem
from luoshi_kit.identity import Identity
from luoshi_tasking.documents.schemas import DocumentStatus

RECORDING_ROLES = ("principal", "deputy", "office", "admin")


class WorkingCalendar(Protocol):
    """What these rules need of ``luoshi_tasking.calendar.rules.WorkCalendar``."""

    def is_workday(self, day: date) -> bool: ...

    def is_provisional(self, day: date) -> bool: ...

    def add_working_days(self, start: date, n: int) -> date: ...

    def next_workday(self, day: date) -> date: ...


@dataclass(frozen=True)
class StudyRules:
    study_working_days: int = 5
    important_study_working_days: int = 0
    report_working_days: int = 2


def study_due(issue_date: date, important: bool, cal: WorkingCalendar, settings: StudyRules) -> date:
    """The last day on which the study session may be held."""
    days = settings.important_study_working_days if important else settings.study_working_days
    if days <= 0:
        return issue_date if cal.is_workday(issue_date) else cal.next_workday(issue_date)
    return cal.add_working_days(issue_date, days)


def report_due(session_date: date, cal: WorkingCalendar, settings: StudyRules) -> date:
    """The last day on which the study report must reach the government."""
    if settings.report_working_days <= 0:
        return session_date if cal.is_workday(session_date) else cal.next_workday(session_date)
    return cal.add_working_days(session_date, settings.report_working_days)


def document_status(
    *,
    session_date: date | None,
    reported_on: date | None,
    study_by: date,
    report_by: date | None,
    today: date,
) -> DocumentStatus:
    """study_pending / study_overdue / report_pending / report_overdue / reported."""
    if reported_on is not None:
        return "reported"
    if session_date is None:
        return "study_overdue" if today > study_by else "study_pending"
    assert report_by is not None
    return "report_overdue" if today > report_by else "report_pending"


def check_can_record(identity: Identity, org_code: str) -> None:
    if not identity.has_any(*RECORDING_ROLES):
        raise Problem(
            403,
            "forbidden",
            "无权登记 Not allowed",
            "只有主要负责同志、分管负责同志、督查室或管理员可登记重要文件及其学习解读",
        )
    if not identity.can_see(org_code):
        raise Problem(
            422,
            "org-outside-subtree",
            "单位不在本单位范围内 Organisation outside your subtree",
            f"单位 {org_code} 不在本单位及下级范围内",
        )


def check_not_future(day: date, today: date, what: str) -> None:
    if day > today:
        raise Problem(
            422, "date-in-future", "日期晚于今天 Date in the future", f"{what} {day} 晚于今天 {today}"
        )

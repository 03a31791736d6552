"""Rules about people: role details that belong together, the assessor's window, who manages whom."""

from __future__ import annotations

from datetime import UTC, datetime

from luoshi_kit.identity import Identity

INSPECTOR_TYPES = ("full_time", "part_time", "special")  # 专职 / 兼职 / 特邀
REPRESENTATIVE_TYPES = ("party_congress", "npc", "cppcc")  # 党代表 / 人大代表 / 政协委员


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment


def may_act_now(window: tuple[datetime | None, datetime | None] | None, now: datetime) -> bool:
    """An assessor acts only inside the window of their assignment; other people are not limited."""
    if window is None:
        return True
    start, end = (_aware(m) for m in window)
    return start is not None and end is not None and start <= now < end


def role_detail_errors(
    *,
    roles: list[str],
    overseen_areas: list[str],
    inspector_type: str | None,
    representative_type: str | None,
    assessor_assignment: str | None,
    assessor_valid_from: datetime | None,
    assessor_valid_to: datetime | None,
) -> list[str]:
    """What is wrong with a person's role details (empty when they fit the roles)."""
    errors = []
    if overseen_areas and "deputy" not in roles:
        errors.append("分管领域仅适用于分管负责同志 overseen_areas needs the deputy role")
    if "inspector" in roles and inspector_type not in INSPECTOR_TYPES:
        errors.append("督查专员须注明类型 inspector_type must be full_time, part_time or special")
    if "inspector" not in roles and inspector_type is not None:
        errors.append("inspector_type 仅适用于督查专员 needs the inspector role")
    if "representative" in roles and representative_type not in REPRESENTATIVE_TYPES:
        errors.append("两代表一委员须注明类型 representative_type must be party_congress, npc or cppcc")
    if "representative" not in roles and representative_type is not None:
        errors.append("representative_type 仅适用于两代表一委员 needs the representative role")
    assessor_fields = (assessor_assignment, assessor_valid_from, assessor_valid_to)
    if "assessor" in roles:
        if not assessor_assignment or assessor_valid_from is None or assessor_valid_to is None:
            errors.append(
                "第三方评估须有评估任务和有效期 assessor needs an assignment, valid_from and valid_to"
            )
        elif _aware(assessor_valid_from) >= _aware(assessor_valid_to):  # type: ignore[operator]
            errors.append("有效期起始须早于结束 valid_from must be before valid_to")
    elif any(f is not None for f in assessor_fields):
        errors.append("评估任务和有效期仅适用于第三方评估 assessor fields need the assessor role")
    return errors


def manages_people(identity: Identity, org_code: str) -> bool:
    """管理人员: an administrator, for people of their own organisation's subtree."""
    return identity.has_any("admin") and identity.can_see(org_code)


def reads_people(identity: Identity, org_code: str) -> bool:
    """Administrators and the office (督查室) read the people of their subtree."""
    return identity.has_any("admin", "office") and identity.can_see(org_code)

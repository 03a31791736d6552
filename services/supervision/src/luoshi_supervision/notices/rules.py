"""Rules of exposure and commendation notices (曝光 / 宣传典型). Plain functions, no I/O.

Life: an office drafts (草拟) and may edit or delete its draft, then submits it (报审); the principal of the
same government approves it — which publishes it on the public portal (公开) — or returns it with a reason
(退回修改, back to draft). A published notice is immutable: any edit or deletion answers 409; a correction
is a new notice naming the one it corrects (``corrects``), and the portal shows the old one as corrected.
"""

from __future__ import annotations

from typing import Literal

from luoshi_kit.identity import Identity

NoticeState = Literal["draft", "submitted", "published"]  # 草稿 / 待审批 / 已公开
DRAFTING_ROLES = ("office",)
APPROVING_ROLES = ("principal",)
READING_ROLES = ("office", "principal", "deputy")
DRAFT_DENIED = "只有本级督查室可以起草和修改通报 Only the issuing office drafts and edits notices"
APPROVE_DENIED = "只有本级主要负责同志可以审批通报 Only the issuing government's principal approves"
READ_DENIED = "只有督查室和负责同志可以查看未公开的通报 Only offices and leaders read unpublished notices"

_MOVES: dict[tuple[NoticeState, str], NoticeState] = {
    ("draft", "submit"): "submitted",
    ("submitted", "approve"): "published",
    ("submitted", "return"): "draft",
}


def next_state(state: NoticeState, action: str) -> NoticeState | None:
    """The state after ``action``, or None when the action is not possible now."""
    return _MOVES.get((state, action))


def editable(state: NoticeState) -> bool:
    """Only a draft changes; a submitted one is returned first, a published one never."""
    return state == "draft"


def may_read(identity: Identity) -> bool:
    return identity.has_any(*READING_ROLES)


def may_draft(identity: Identity, issuing_org: str) -> bool:
    return identity.org_code == issuing_org and identity.has_any(*DRAFTING_ROLES)


def may_approve(identity: Identity, issuing_org: str) -> bool:
    return identity.org_code == issuing_org and identity.has_any(*APPROVING_ROLES)

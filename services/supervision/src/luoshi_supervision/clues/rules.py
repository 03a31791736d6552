"""Rules of public clues (线索): receipts and their secrets, the per-address limit, triage and what the
reporter is told (事事有回音). Plain functions, no I/O.

Triage outcomes: ``finding`` (问题, with the finding's id or reference), ``inspection`` (督查, with the
inspection's id or reference), ``referral`` (转交下级政府: the clue moves to a government below, whose office
triages it in turn) and ``dismissed`` (不予立案, with a reason). Only a clue awaiting triage — received, or
referred to this office — can be triaged; the other outcomes are final.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date
from typing import Annotated, Literal

from fastapi import Depends

from luoshi_kit.identity import Identity
from luoshi_kit.permissions import require_roles
from luoshi_proto.supervision.v1 import ClueOutcome

ClueChannel = Literal["portal", "wechat", "media", "hotline", "mail", "other"]  # 门户/微信/媒体/热线/信件
ClueState = Literal["received", "referred", "triaged"]  # 待研判 / 已转交 (待下级研判) / 已处理
OPEN_STATES: frozenset[str] = frozenset({"received", "referred"})
CONTENT_MAX_CHARS = 5000
RECEIPT_PREFIX = "XS"
_RECEIPT_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read out over the phone

READING_ROLES = ("office", "inspector", "principal", "deputy")
READ_DENIED = "只有督查室、督查专员和负责同志可以查看线索 Only offices, inspectors and leaders read clues"
ClueReader = Annotated[Identity, Depends(require_roles(*READING_ROLES, detail=READ_DENIED))]
TRIAGE_DENIED = "只有督查室可以研判线索 Only the office triages clues"

REPLIES: dict[ClueOutcome, str] = {
    "finding": "您反映的问题已立为督查问题, 将督促责任单位整改 Recorded as a finding; rectification follows",
    "inspection": "您反映的情况已纳入督查 Taken up in an inspection",
    "referral": "您反映的情况已转交下级政府督查室办理 Referred to the office of a lower government",
    "dismissed": "经研判, 您反映的情况不予立案 After review, no case was opened",
}
STATUS_ZH: dict[str, str] = {"received": "已受理, 待研判", "referred": "已转交, 待研判", "triaged": "已办理"}


def new_receipt_no(today: date) -> str:
    """XS + business date + 8 random characters (about 40 bits: unguessable, unique in practice; the
    column is unique and a clash is retried)."""
    tail = "".join(secrets.choice(_RECEIPT_ALPHABET) for _ in range(8))
    return f"{RECEIPT_PREFIX}{today:%Y%m%d}{tail}"


def new_secret() -> str:
    return secrets.token_urlsafe(18)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    return hmac.compare_digest(secret_hash(secret), stored_hash)


def address_key(address: str, key: str) -> str:
    """The client address as a keyed hash: enough to count submissions, not to recover the address."""
    return hmac.new(key.encode(), address.encode(), hashlib.sha256).hexdigest()


def over_limit(submitted_last_hour: int, per_hour: int) -> bool:
    return submitted_last_hour >= per_hour


def may_read(identity: Identity) -> bool:
    return identity.has_any(*READING_ROLES)


def may_triage(identity: Identity) -> bool:
    return identity.has_any("office")


def sees_reporter(identity: Identity) -> bool:
    """The reporter's name and contact: the office only (督查室), never inspectors or leaders."""
    return identity.has_any("office")


def reply_for(outcome: ClueOutcome, reply: str | None) -> str:
    return reply or REPLIES[outcome]

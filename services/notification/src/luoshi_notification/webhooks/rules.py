"""Which subscriber gets which event, how a delivery is signed, and when it is tried again (plain
functions).

Signing follows Standard Webhooks 1.0: ``webhook-id`` (the delivery's id, the same on every retry),
``webhook-timestamp`` (Unix seconds) and ``webhook-signature`` = ``v1,`` + base64 HMAC-SHA256 over
``{id}.{timestamp}.{body}`` with the base64-decoded part of the ``whsec_…`` secret. During a rotation's
overlap the header carries one signature per secret, space-separated, so a receiver holding either one
verifies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import secrets
from collections.abc import Sequence
from datetime import datetime
from fnmatch import fnmatchcase
from typing import Any

from luoshi_notification.routing.rules import BEFORE_CONDUCTED, withheld_from
from luoshi_proto.divisions import is_within
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.supervision.v1 import InspectionEvent

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signing_secrets(
    secret: str, previous: str | None, previous_until: datetime | None, now: datetime
) -> list[str]:
    """The current secret, and the previous one while its overlap lasts."""
    if previous and previous_until and now < previous_until:
        return [secret, previous]
    return [secret]


def headers(msg_id: str, timestamp: int, body: bytes, keys: Sequence[str]) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(k, msg_id, timestamp, body) for k in keys),
        "content-type": "application/cloudevents+json",
        "user-agent": "Luoshi-Webhooks/1.0",
    }


def type_matches(event_type: str, filters: Sequence[str]) -> bool:
    """No filter: every type; else an exact type or a pattern such as ``supervision.*``."""
    return not filters or any(fnmatchcase(event_type, f) for f in filters)


def unknown_filters(filters: Sequence[str], known: Sequence[str]) -> list[str]:
    return [f for f in filters if not any(fnmatchcase(t, f) for t in known)]


def receives(scope_org: str, filters: Sequence[str], event: CloudEvent[Any]) -> bool:
    """Only events of the subscriber's subtree, of the types it asked for, and never an unannounced
    inspection before it is conducted: supervision names no target in those events (its targets are secret),
    so no subscriber can be shown to lie outside them — none gets it, the inspecting office's platform
    included (its people hear of it in their inbox)."""
    if not is_within(event.orgcode, scope_org) or not type_matches(event.type, filters):
        return False
    if is_secret(event):
        return False
    return not any(is_within(target, scope_org) for target in withheld_from(event))


def is_secret(event: CloudEvent[Any]) -> bool:
    data = event.data
    return (
        event.type in BEFORE_CONDUCTED and isinstance(data, InspectionEvent) and data.inspection.unannounced
    )


def retry_delay(
    attempts: int, schedule: Sequence[float], jitter: float, rng: random.Random | None = None
) -> float | None:
    """Seconds until the next try after ``attempts`` failed ones (the schedule, ± ``jitter``); None: no
    more."""
    if attempts > len(schedule):
        return None
    base = schedule[attempts - 1]
    spread = (rng or random.SystemRandom()).uniform(-jitter, jitter)
    return max(base * (1 + spread), 0.0)

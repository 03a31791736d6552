"""Who hears which event, and how it reads (plain data and functions, no I/O).

A rule names, for one event type, a title (a ``str.format`` template over the payload's fields, e.g.
``{task.title}``, or a function of the payload), an optional body, whether it is urgent (超期, 督办: it
bypasses quiet hours and is re-sent on the next channel when left unread), and who hears it: one or more
``Hear`` entries, each a set of roles in the organisations a function of the event names. The escalation
follows the seed: a lagging task warns the handler and the deputy (分管负责同志); an overdue one reaches the
principal (主要负责同志).

暗访 (unannounced inspections): before they are conducted, their targets' people never hear of them
(``withheld_from``), whatever a rule says; the same function keeps them from webhook subscribers of the
targets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from luoshi_proto.divisions import is_within
from luoshi_proto.envelope import CloudEvent
from luoshi_proto.supervision.v1 import InspectionEvent

Roles = tuple[str, ...]
Who = Callable[[CloudEvent[Any]], Iterable[str]]


@dataclass(frozen=True)
class Hear:
    """``roles`` of the organisations ``who`` names (``roles`` may depend on the payload, e.g. an urge's)."""

    roles: Roles | Callable[[Any], Roles]
    who: Who

    def roles_for(self, data: BaseModel) -> Roles:
        return self.roles(data) if callable(self.roles) else self.roles


@dataclass(frozen=True)
class Rule:
    title: str | Callable[[Any], str]
    hears: tuple[Hear, ...] = ()
    body: str = ""
    urgent: bool | Callable[[Any], bool] = False
    why_nobody: str = field(default="", compare=False)
    """For a rule without ``hears``: why no person needs a message (the table covers every type)."""


def hear(roles: Roles | Callable[[Any], Roles], who: Who) -> Hear:
    return Hear(roles, who)


def nobody(why: str) -> Rule:
    return Rule(title="", why_nobody=why)


# Events published before an unannounced inspection is conducted (its events then carry the inspecting
# office's
# orgcode; supervision/v1.py). From ``conducted`` on, the targets may be told.
BEFORE_CONDUCTED = frozenset({"supervision.inspection.scheduled.v1"})


def withheld_from(event: CloudEvent[Any]) -> list[str]:
    """Organisations whose subtree must not hear of ``event`` yet: the targets of an unannounced inspection
    that is not conducted."""
    data = event.data
    if event.type in BEFORE_CONDUCTED and isinstance(data, InspectionEvent) and data.inspection.unannounced:
        return list(data.inspection.target_orgs)
    return []


def is_withheld(org_code: str, withheld: Sequence[str]) -> bool:
    return any(is_within(org_code, target) for target in withheld)


def kind_of(event_type: str) -> str:
    """``tasking.task.overdue.v1`` → ``task.overdue`` (what the inbox filters by)."""
    return ".".join(event_type.split(".")[1:-1])


def title_of(rule: Rule, data: BaseModel) -> str:
    text = rule.title(data) if callable(rule.title) else rule.title.format(**dict(data))
    return text[:300]


def body_of(rule: Rule, data: BaseModel) -> str:
    return rule.body.format(**dict(data))[:2000] if rule.body else ""


def is_urgent(rule: Rule, data: BaseModel) -> bool:
    return rule.urgent(data) if callable(rule.urgent) else rule.urgent


def audience(rule: Rule, event: CloudEvent[Any]) -> dict[str, set[str]]:
    """Organisation → the roles in it that hear ``event``, without the organisations it is withheld from."""
    withheld = withheld_from(event)
    reach: dict[str, set[str]] = {}
    for entry in rule.hears:
        roles = entry.roles_for(event.data)
        for org in entry.who(event):
            if org and not is_withheld(org, withheld):
                reach.setdefault(org, set()).update(roles)
    return reach

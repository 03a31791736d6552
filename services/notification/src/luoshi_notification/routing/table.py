"""The whole rule table: every event type Luoshi's services publish about work (``FORWARDED``) has a rule,
even
if it tells nobody (tests/unit/test_routing_table.py checks it against the registry)."""

from __future__ import annotations

from luoshi_notification.routing.rules import Rule
from luoshi_notification.routing.scoring_rules import SCORING_RULES
from luoshi_notification.routing.supervision_rules import SUPERVISION_RULES
from luoshi_notification.routing.tasking_rules import TASK_RULES
from luoshi_proto.registry import EVENT_TYPES

FORWARDED_SERVICES = ("tasking", "supervision", "scoring")
"""Whose events reach people and webhook subscribers (gateway events carry people's data; ours are about
us)."""

RULES: dict[str, Rule] = {**TASK_RULES, **SUPERVISION_RULES, **SCORING_RULES}

FORWARDED: tuple[str, ...] = tuple(sorted(t for t in EVENT_TYPES if t.split(".", 1)[0] in FORWARDED_SERVICES))

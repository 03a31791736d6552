"""The broker topology, declared the same way by every service and by deploy/rabbitmq/definitions.json.

One durable topic exchange carries every event. Each consuming service owns one durable quorum
queue bound to the patterns it needs; a message it rejects, or fails to handle ``delivery_limit``
times, is dead-lettered through ``luoshi.dlx`` into that service's ``<service>.dlq``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from luoshi_proto.registry import EXCHANGE
from luoshi_proto.subscriptions import SUBSCRIPTIONS

DEAD_LETTER_EXCHANGE = "luoshi.dlx"
DEFAULT_DELIVERY_LIMIT = 5

# Which events each service listens to comes from the services' handler tables, through the generated
# luoshi_proto/subscriptions.json; every service declares the whole topology at start-up, so an event
# published before its consumer first runs is still queued rather than unroutable.


def pattern_to_regex(pattern: str) -> re.Pattern[str]:
    """AMQP topic semantics: ``*`` is one word, ``#`` zero or more words."""
    parts = []
    for word in pattern.split("."):
        parts.append({"*": r"[^.]+", "#": r".*"}.get(word, re.escape(word)))
    regex = r"\.".join(parts).replace(r".*\.", r"(?:.*\.)?").replace(r"\..*", r"(?:\..*)?")
    return re.compile(f"^{regex}$")


def binding_pattern(event_type: str) -> str:
    """One event type in every organisation: ``tasking.task.overdue.v1.#``."""
    return f"{event_type}.#"


@dataclass(frozen=True)
class QueueSpec:
    service: str
    patterns: tuple[str, ...]
    delivery_limit: int = DEFAULT_DELIVERY_LIMIT

    @property
    def name(self) -> str:
        return f"{self.service}.events"

    @property
    def dead_letter_queue(self) -> str:
        return f"{self.service}.dlq"

    @property
    def arguments(self) -> dict[str, Any]:
        return {
            "x-queue-type": "quorum",
            "x-delivery-limit": self.delivery_limit,
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": self.service,
        }


def queue_specs(delivery_limit: int = DEFAULT_DELIVERY_LIMIT) -> list[QueueSpec]:
    return [
        QueueSpec(service, tuple(binding_pattern(t) for t in types), delivery_limit)
        for service, types in sorted(SUBSCRIPTIONS.items())
    ]


def rabbitmq_definitions(delivery_limit: int = DEFAULT_DELIVERY_LIMIT) -> dict[str, Any]:
    """The same topology as a RabbitMQ definitions document (for deploy/ and operators)."""
    exchanges = [
        {
            "name": EXCHANGE,
            "vhost": "/",
            "type": "topic",
            "durable": True,
            "auto_delete": False,
            "internal": False,
            "arguments": {},
        },
        {
            "name": DEAD_LETTER_EXCHANGE,
            "vhost": "/",
            "type": "direct",
            "durable": True,
            "auto_delete": False,
            "internal": False,
            "arguments": {},
        },
    ]
    queues: list[dict[str, Any]] = []
    bindings: list[dict[str, Any]] = []
    for spec in queue_specs(delivery_limit):
        queues.append(
            {
                "name": spec.name,
                "vhost": "/",
                "durable": True,
                "auto_delete": False,
                "arguments": spec.arguments,
            }
        )
        queues.append(
            {
                "name": spec.dead_letter_queue,
                "vhost": "/",
                "durable": True,
                "auto_delete": False,
                "arguments": {"x-queue-type": "quorum"},
            }
        )
        bindings += [
            {
                "source": EXCHANGE,
                "vhost": "/",
                "destination": spec.name,
                "destination_type": "queue",
                "routing_key": pattern,
                "arguments": {},
            }
            for pattern in spec.patterns
        ]
        bindings.append(
            {
                "source": DEAD_LETTER_EXCHANGE,
                "vhost": "/",
                "destination": spec.dead_letter_queue,
                "destination_type": "queue",
                "routing_key": spec.service,
                "arguments": {},
            }
        )
    return {"exchanges": exchanges, "queues": queues, "bindings": bindings}

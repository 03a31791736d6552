"""The notification service's own metrics (beside the kit's HTTP and event metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

SENDS = Counter(
    "luoshi_notification_sends_total", "Send records finished, by channel and status", ["channel", "status"]
)
WEBHOOK_ATTEMPTS = Counter(
    "luoshi_webhook_attempts_total",
    "Webhook delivery attempts, by subscription and outcome",
    ["subscription", "outcome"],
)
WEBHOOK_FAILURES = Counter(
    "luoshi_webhook_failures_total",
    "Failed webhook attempts, by subscription and reason",
    ["subscription", "reason"],
)
WEBHOOK_LATENCY = Histogram(
    "luoshi_webhook_latency_seconds",
    "Webhook delivery attempt latency, by subscription",
    ["subscription"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
WEBHOOK_DEAD = Counter(
    "luoshi_webhook_dead_letters_total", "Deliveries moved to the dead-letter list", ["subscription"]
)

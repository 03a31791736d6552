"""The fault campaign (issue 15 §4): commands through the gateway while faults follow one another,
then the books are checked from the databases and the broker.

- every accepted command applied exactly once (tasking's rows, by the unique title of each command);
- every event handled by every consumer (its ``inbox`` holds the event id: the primary key makes it
  at most once), and each effect once (a notification per event and recipient, never two);
- nothing in a dead-letter queue, every outbox and queue empty: the time from the end of the last
  fault until all of that holds is the drain time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from luoshi_proto.subscriptions import SUBSCRIPTIONS
from tests.e2e.faultlab import NAMES, Lab
from tests.e2e.faultload import Load

EVENT_TYPES = ("tasking.task.assigned.v1", "tasking.task.accepted.v1")
CONSUMERS = tuple(s for s in NAMES if any(t in SUBSCRIPTIONS.get(s, ()) for t in EVENT_TYPES))


@dataclass(frozen=True)
class Fault:
    name: str
    run: Callable[[Lab, float], float]  # (lab, hold seconds) → seconds until the service was ready again


def kill_and_restart(service: str) -> Fault:
    def run(lab: Lab, hold: float) -> float:
        lab.kill(service)
        time.sleep(hold)
        lab.start(service)
        return lab.wait_ready(service)

    return Fault(f"SIGKILL {service}, restart after {{hold}}s", run)


def outage(name: str, context: Callable[[Lab], AbstractContextManager[None]]) -> Fault:
    def run(lab: Lab, hold: float) -> float:
        with context(lab):
            time.sleep(hold)
        started = time.monotonic()
        for service in NAMES:
            lab.wait_ready(service)
        return time.monotonic() - started

    return Fault(name, run)


def database_down(service: str) -> Fault:
    return outage(
        f"database of {service} refuses connections for {{hold}}s", lambda lab: lab.database_down(service)
    )


def postgres_crash(service: str) -> Fault:
    """The service's own PostgreSQL server (the lab's, see ``Lab.private_postgres``) stopped immediately."""
    return outage(
        f"PostgreSQL of {service} stopped immediately, started after {{hold}}s",
        lambda lab: lab.postgres_crashed(service),
    )


BROKER = outage("rabbitmqctl stop_app for {hold}s, then start_app", lambda lab: lab.broker_stopped())
BROKER_KILL = outage(
    "SIGKILL of the broker (beam.smp), restarted after {hold}s", lambda lab: lab.broker_killed()
)


@dataclass
class Report:
    commands: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    causes: dict[str, int] = field(default_factory=dict)
    ambiguous: dict[str, int] = field(default_factory=dict)
    faults: list[tuple[str, float, int]] = field(default_factory=list)  # name, back after s, failed attempts
    lost: int = 0
    twice: int = 0
    applied_unacknowledged: int = 0
    not_accepted: int = 0
    events: int = 0
    missing: dict[str, int] = field(default_factory=dict)
    effects_twice: int = 0
    dead_letters: dict[str, int] = field(default_factory=dict)
    drained_after: float | None = None
    seconds: float = 0
    load: tuple[float, float, float] = (0, 0, 0)

    def ok(self) -> bool:
        return (
            not self.lost
            and not self.twice
            and not self.not_accepted
            and not any(self.missing.values())
            and not self.effects_twice
            and not any(self.dead_letters.values())
            and self.drained_after is not None
        )


def _books(lab: Lab, load: Load, since: datetime, report: Report) -> bool:
    """Fills the report from the databases; True once everything has arrived everywhere."""
    prefix = f"故障演练-{load.run}-%"
    rows = lab.sql("tasking", "SELECT title, state FROM task WHERE title LIKE :p", p=prefix)
    by_title: dict[str, list[str]] = {}
    for title, state in rows:
        by_title.setdefault(title, []).append(state)
    created = [o for o in load.outcomes if o.created]
    report.lost = sum(1 for o in created if o.title not in by_title)
    report.twice = sum(1 for states in by_title.values() if len(states) > 1)
    report.applied_unacknowledged = sum(1 for o in load.outcomes if not o.created and o.title in by_title)
    report.not_accepted = sum(
        1 for o in load.outcomes if o.accepted and by_title.get(o.title) != ["accepted"]
    )
    events = _events(lab, since)
    ids = {e[0] for e in events}
    report.events = len(ids)
    for service in CONSUMERS:
        handled = {
            r[0] for r in lab.sql(service, "SELECT event_id FROM inbox WHERE handled_at >= :s", s=since)
        }
        report.missing[service] = len(ids - handled)
    report.effects_twice = lab.sql(
        "notification",
        "SELECT count(*) FROM (SELECT event_id, recipient_id FROM notification "
        "GROUP BY event_id, recipient_id HAVING count(*) > 1) AS d",
    )[0][0]
    queues = lab.queues()
    report.dead_letters = {q: n for q, n in queues.items() if q.endswith(".dlq")}
    backlog = sum(lab.sql(s, "SELECT count(*) FROM outbox WHERE published_at IS NULL")[0][0] for s in NAMES)
    waiting = sum(n for q, n in queues.items() if not q.endswith(".dlq"))
    return not backlog and not waiting and not any(report.missing.values())


def _events(lab: Lab, since: datetime) -> list[tuple[Any, ...]]:
    types = ", ".join(f"'{t}'" for t in EVENT_TYPES)
    statement = f"SELECT id FROM outbox WHERE created_at >= :since AND event_type IN ({types})"
    return lab.sql("tasking", statement, since=since)


def run_campaign(
    lab: Lab,
    faults: list[Fault],
    *,
    hold: float,
    gap: float,
    workers: int,
    say: Callable[[str], None] = print,
) -> Report:
    report = Report(load=os.getloadavg())
    started = time.monotonic()
    since = datetime.now(UTC)
    load = Load(lab.url, lab.demo_password, run=lab.prefix[-8:], workers=workers)
    load.start()
    time.sleep(gap)
    for fault in faults:
        before = sum(len(o.failures) for o in load.outcomes)
        name = fault.name.format(hold=hold)
        say(f"fault: {name} (after {load.sent} requests)")
        back = fault.run(lab, hold)
        time.sleep(gap)
        report.faults.append((name, back, sum(len(o.failures) for o in load.outcomes) - before))
    last_fault_over = time.monotonic() - gap
    load.stop()
    say(f"load stopped after {load.sent} requests; waiting for the backlog to drain …")
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if _books(lab, load, since, report):
            report.drained_after = time.monotonic() - last_fault_over
            break
        time.sleep(0.5)
    _books(lab, load, since, report)
    report.commands = sum(int(o.created) + int(o.accepted) for o in load.outcomes)
    report.outcomes = {
        "create+accept sent": len(load.outcomes),
        "created": sum(o.created for o in load.outcomes),
        "accepted": sum(o.accepted for o in load.outcomes),
        "requests": load.sent,
    }
    report.causes = dict(load.causes().most_common())
    report.ambiguous = dict(load.ambiguous())
    report.seconds = time.monotonic() - started
    return report


def print_report(report: Report, say: Callable[[str], None] = print) -> None:
    say(f"load average at start (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in report.load)}")
    say(f"commands applied: {report.commands} ({report.outcomes}); campaign {report.seconds:.0f}s")
    for name, back, failures in report.faults:
        say(f"  {name}: ready again after {back:.1f}s; {failures} failed attempts during it")
    say(f"failed attempts by cause: {report.causes}")
    say(f"ambiguous (error seen, effect committed; resolved by the retry): {report.ambiguous}")
    say(
        f"lost: {report.lost}; applied twice: {report.twice}; applied though the client gave up: "
        f"{report.applied_unacknowledged}; acknowledged accepts not applied: {report.not_accepted}"
    )
    say(
        f"events: {report.events}; missing per consumer: {report.missing}; "
        f"effects twice: {report.effects_twice}"
    )
    say(f"dead letters: {report.dead_letters}")
    drained = f"{report.drained_after:.1f}s" if report.drained_after is not None else "NOT within 300s"
    say(f"backlog drained {drained} after the last fault")

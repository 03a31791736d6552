"""The closed loop (issue 15 §1), driven only through the gateway's HTTP API on the services as separate
processes: a decision followed down to a township and back, watched by two outside platforms of 贵阳市.

贵州省 registers an important document (学习解读 within 5 working days, the report within 2); the
province issues a key task to 贵阳市; the city decomposes it into quarterly subtasks for 南明区 and
云岩区; 南明区 passes a part on to 五里冲街道; reports flow up and progress rolls up; 云岩区 asks for an
extension and gets it; 南明区 lags → 催办 → goes overdue → the automatic 督办 reaches its principal,
who answers with a reason and a catch-up plan; scoring deducts points and lists the task on the
negative list; an unannounced inspection of 南明区 is invisible to it until conducted, its finding
becomes a listed rectification item (挂牌督办), the first report is rejected, the second verified; a
public clue about 南明区 is triaged into that inspection. The quarter ends: 五里冲街道 (its part done and
accepted) and 南明区 file their self-checks, 南明区 ranks its townships, its principal approves, the ranking
is on the public portal; the best township is exempted (免督查) for next quarter and 南明区's next routine
inspection plan has to skip it. The key task is completed bottom-up, reviewed, closed (销号) and archived;
the timelines show the steps in order with who did them.

All along a webhook subscription of 贵阳市 (a loopback receiver, Standard Webhooks signatures verified) and
an AMQP subscriber of 贵阳市 (a platform user with the deployment's read-only rights) listen: each gets each
of the story's events exactly once, and the same ones.

Time passes only where it must (a task's start and deadline moved into the past in tasking's database).
The ranking is 南明区's of its townships: the city's ranking of its counties for this quarter is
tests/e2e/test_scoring.py's (one ranking per scope, tier and period), and exempting a county for next
quarter would refuse other tests' inspections of it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.e2e import loop_oversight as oversight
from tests.e2e import loop_story as story
from tests.e2e.cluster import Cluster, wait_until
from tests.e2e.loop_story import CITY, Story, ok
from tests.e2e.platform_listeners import Received, WebhookReceiver, amqp_subscriber, webhook_receiver

pytestmark = pytest.mark.e2e
WATCHED = ("tasking.task", "supervision", "scoring")  # what 贵阳市's two platforms subscribe to


def _subscribe(s: Story, url: str) -> tuple[str, str, datetime]:
    """贵阳市's webhook subscription (an administrator registers it): its id, secret (shown once) and
    creation time."""
    body = {
        "name": "贵阳市公文系统",
        "url": url,
        "scope_org": CITY,
        "event_types": [f"{prefix}.*" for prefix in WATCHED],
    }
    created = ok(s.admin.post("/api/v1/subscriptions", json=body), 201)
    assert created["secret"].startswith("whsec_")
    return str(created["id"]), str(created["secret"]), datetime.fromisoformat(created["created_at"])


def _delivery_log(s: Story, subscription: str) -> str:
    """The subscription's deliveries not delivered yet, as notification holds them (for a red run)."""
    items: list[Any] = []
    for status in ("pending", "sending", "dead"):
        page = s.admin.get(f"/api/v1/subscriptions/{subscription}/deliveries", params={"status": status})
        items += page.json().get("items", []) if page.status_code == 200 else [page.text]
    return f"deliveries not delivered: {items}"


def _each_once(
    hook: WebhookReceiver,
    bus: Received,
    story: list[tuple[str, str]],
    since: datetime,
    log: Callable[[], str],
) -> None:
    """Both platforms got each of the story's events exactly once, the webhook's signed, and the same set
    of every event of the story's subjects from the subscription on (the AMQP queue was bound a moment
    before it: an event of another test still in flight then reaches only that)."""

    def complete() -> bool:
        return all(hook.of(t, subject) and bus.of(t, subject) for t, subject in story)

    try:
        wait_until(complete, 60, "the story's events at both platforms", interval=0.5)
    except AssertionError as exc:  # say which platform lacks which event, for the next reader of a red run
        lacking_hook = [(t, subject) for t, subject in story if not hook.of(t, subject)]
        lacking_bus = [(t, subject) for t, subject in story if not bus.of(t, subject)]
        raise AssertionError(
            f"{exc}; not at the webhook: {lacking_hook}; not on AMQP: {lacking_bus}; {log()}"
        ) from None
    for event_type, subject in story:
        assert len(hook.of(event_type, subject)) == 1, (event_type, subject)
        assert len(bus.of(event_type, subject)) == 1, (event_type, subject)
    assert not hook.refused, hook.refused
    after = since + timedelta(seconds=1)
    # The cluster is shared: another test's work still in flight may raise events of its own in 南明区 well
    # after the subscription (in one CI run a rollup and a lifted listing 2 s after it, on tasks the webhook
    # may withhold by design, e.g. under another test's unannounced inspection). Compared: the story's own.
    ours = {subject for _type, subject in story}

    def only_one() -> list[tuple[str, str, str, str]]:
        events = {e["id"]: e for e in [*hook.snapshot(), *bus.snapshot()] if e.get("subject") in ours}
        webhook, amqp = set(hook.ids(after)) & set(events), set(bus.ids(after)) & set(events)
        return sorted(
            (
                "webhook" if i in webhook else "amqp",
                events[i]["type"],
                events[i]["orgcode"],
                events[i]["time"],
            )
            for i in webhook ^ amqp
        )

    try:
        wait_until(lambda: not only_one(), 60, "the same events at both platforms", 0.5)
    except AssertionError as exc:
        raise AssertionError(f"{exc}: seen by one platform only: {only_one()}; {log()}") from None
    assert max(hook.ids().values()) == 1 and max(bus.ids().values()) == 1
    assert len(set(hook.delivery_ids)) == len(hook.delivery_ids)
    assert all(e["type"].startswith(WATCHED) for e in bus.snapshot())


def test_the_closed_loop(distributed: Cluster) -> None:
    s = story.cast(distributed)
    patterns = [f"{prefix}.{'*.' * (3 - prefix.count('.'))}52.01.#" for prefix in WATCHED]
    with (
        webhook_receiver() as (hook, url),
        amqp_subscriber(distributed.env["LUOSHI_AMQP_URL"], patterns) as bus,
    ):
        subscription, hook.secret, since = _subscribe(s, url)
        try:
            story.document(s)
            story.decompose(s)
            story.reports_and_extension(s)
            story.lags_and_goes_overdue(s)
            oversight.scored(s)
            iid = oversight.unannounced_inspection(s)
            oversight.rectification(s, iid)
            best = oversight.quarter_end(s)
            oversight.exempt_and_plan(s, best)
            story.close_out(s)
            story.timelines(s)
            _each_once(hook, bus, s.events, since, lambda: _delivery_log(s, subscription))
            assert not hook.of("supervision.inspection.scheduled.v1", iid)  # 暗访: withheld until conducted
        finally:  # the receiver goes away with this test: later tests' events would only fail there
            ok(s.admin.patch(f"/api/v1/subscriptions/{subscription}", json={"active": False}))

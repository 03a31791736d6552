"""The fault campaign, short (issue 15 §4; the full one with figures is ``bench/faults.py``): commands
through the gateway while a consumer is killed with SIGKILL and restarted, the producer is killed
mid-write, and a consumer's PostgreSQL server (the lab's own) is stopped immediately and started
again; then nothing is lost, nothing is applied twice, every event reached every consumer once, nothing
is dead-lettered and the backlog drains soon after the last fault (the campaign's goal: 30 s).

The shared broker is left alone here (tests/e2e/test_resilience.py stops it; the campaign does too);
the shared PostgreSQL server is never stopped (see tests/e2e/faultlab.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e import privatepg
from tests.e2e.faultcampaign import (
    database_down,
    kill_and_restart,
    postgres_crash,
    print_report,
    run_campaign,
)
from tests.e2e.faultlab import Lab

# Five services started, killed and restarted one after another: minutes on a 2-core machine.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]
# The campaign's goal is 30 s (bench/faults.py records it); the test allows twice that, since the CI machine's
# speed is not ours to choose and a restart alone can take half a minute there.
DRAIN_LIMIT_SECONDS = 60


@pytest.fixture
def lab(amqp_url: str, postgres_server_url: str, tmp_path: Path) -> Iterator[Lab]:
    # notification's database on a PostgreSQL server of the lab's own, which the run crashes (root on CI);
    # elsewhere its database on the shared server refuses connections instead.
    own = ("notification",) if privatepg.available() else ()
    lab = Lab(
        data_dir=tmp_path, amqp_url=amqp_url, postgres_server_url=postgres_server_url, private_postgres=own
    )
    lab.setup()
    try:
        lab.start_all()
        lab.wait_seeded()
        yield lab
    finally:
        lab.teardown()


def test_nothing_lost_nothing_twice_under_faults(lab: Lab) -> None:
    database = postgres_crash if lab.servers else database_down
    faults = [kill_and_restart("notification"), kill_and_restart("tasking"), database("notification")]
    report = run_campaign(lab, faults, hold=2, gap=3, workers=3)
    print_report(report)
    assert report.outcomes["created"] >= 20, report
    assert report.lost == 0 and report.twice == 0 and report.not_accepted == 0
    assert report.applied_unacknowledged == 0  # every command was retried until it succeeded
    assert not any(report.missing.values()), report.missing
    assert report.effects_twice == 0
    assert not any(report.dead_letters.values()), report.dead_letters
    assert report.drained_after is not None and report.drained_after < DRAIN_LIMIT_SECONDS, (
        report.drained_after
    )

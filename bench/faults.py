"""The fault campaign (issue 15 §4): thousands of commands through the gateway while faults follow one
another, then the books. Prints figures; not a timed test (the short version is tests/e2e/test_faults.py).

    LUOSHI_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5672/ \\
    LUOSHI_TEST_POSTGRES_URL=postgresql+asyncpg://postgres@127.0.0.1:5432 \\
    ./dev python -m bench.faults [--hold 6] [--gap 8] [--workers 4] [--no-broker] [--kill-broker]

Luoshi runs as five ``luoshi serve`` processes on a vhost and databases of their own (removed afterwards).
The faults, one after another with the load running: SIGKILL of each consuming service (notification,
scoring, gateway) and restart; ``rabbitmqctl stop_app``/``start_app`` (``start_app`` in a ``finally``);
with ``--kill-broker`` (only where nobody else uses the broker: it is a shared system service here)
SIGKILL of the broker's Erlang VM and ``rabbitmq-server -detached``; SIGKILL of the producing service
(tasking) mid-write; notification's PostgreSQL (a server of the campaign's own, tests/e2e/privatepg.py)
stopped immediately and started again; tasking's database refusing connections on the shared server
(``ALLOW_CONNECTIONS false`` and ``pg_terminate_backend`` on that one database: the shared server is never
stopped). See tests/e2e/faultcampaign.py for what is checked afterwards.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from tests.e2e import privatepg
from tests.e2e.faultcampaign import (
    BROKER,
    BROKER_KILL,
    database_down,
    kill_and_restart,
    postgres_crash,
    print_report,
    run_campaign,
)
from tests.e2e.faultlab import Lab


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hold", type=float, default=6, help="seconds each fault lasts")
    parser.add_argument("--gap", type=float, default=8, help="seconds of plain load between faults")
    parser.add_argument("--workers", type=int, default=4, help="concurrent clients")
    parser.add_argument("--no-broker", action="store_true", help="leave the shared broker alone")
    parser.add_argument(
        "--kill-broker", action="store_true", help="also SIGKILL the broker (nobody else on it)"
    )
    args = parser.parse_args()
    faults = [kill_and_restart("notification"), kill_and_restart("scoring"), kill_and_restart("gateway")]
    if not args.no_broker:
        faults.append(BROKER)
    if args.kill_broker:
        faults.append(BROKER_KILL)
    own = privatepg.available()
    faults += [
        kill_and_restart("tasking"),
        postgres_crash("notification") if own else database_down("notification"),
        database_down("tasking"),
    ]
    lab = Lab(
        data_dir=Path(tempfile.mkdtemp(prefix="luoshi-faults-")),
        amqp_url=os.environ["LUOSHI_TEST_AMQP_URL"],
        postgres_server_url=os.environ["LUOSHI_TEST_POSTGRES_URL"],
        private_postgres=("notification",) if own else (),
    )
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()}; lab {lab.prefix}")
    lab.setup()
    try:
        lab.start_all()
        lab.wait_seeded()
        report = run_campaign(lab, faults, hold=args.hold, gap=args.gap, workers=args.workers)
    finally:
        lab.teardown()
    print_report(report)
    return 0 if report.ok() else 1


if __name__ == "__main__":
    raise SystemExit(main())

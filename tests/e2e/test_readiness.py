"""Ready means ready: the moment ``luoshi up`` prints its address, a township can be given a task
and a document — first try, no retry — in both modes."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.e2e.cluster import Cluster, create_task
from tests.e2e.conftest import EMBEDDED_ENV, distributed_cluster

READY_LINE = "已就绪 ready"
TOWNSHIP = "520102001000"  # 南明区 五里冲街道: a township, the deepest tier


def _first_moment(cluster: Cluster) -> None:
    cluster.launch()
    cluster.wait_for_output(READY_LINE, 400)
    for service in ("gateway", "tasking", "supervision", "scoring", "notification"):
        ready = httpx.get(f"{cluster.service_url(service)}/readyz", timeout=5)
        assert ready.status_code == 200, (service, ready.text)
    assert httpx.get(f"{cluster.service_url('tasking')}/readyz").json()["checks"]["org_replica"] is True
    office = cluster.client("province_office")
    started = time.monotonic()
    task = create_task(office, title="就绪即可交办 ready means ready", lead_unit=TOWNSHIP)
    took = time.monotonic() - started
    assert task.status_code == 201, task.text
    assert took < 5, f"the first write took {took:.1f}s (a start-up backlog held it)"
    document = office.post(
        "/api/v1/documents",
        json={
            "title": "关于加强数字政府建设的指导意见",
            "issuer_level": "国务院",
            "reference": "国发〔2026〕9号",
            "issue_date": (datetime.now(UTC).date() - timedelta(days=1)).isoformat(),
            "org_code": TOWNSHIP,
        },
    )
    assert document.status_code == 201, document.text


@pytest.mark.e2e
def test_ready_embedded(tmp_path: Path) -> None:
    cluster = Cluster(data_dir=tmp_path / "embedded", env=EMBEDDED_ENV)
    try:
        _first_moment(cluster)
    finally:
        cluster.stop()


@pytest.mark.e2e
def test_ready_distributed(amqp_url: str, postgres_server_url: str, tmp_path: Path) -> None:
    with distributed_cluster(amqp_url, postgres_server_url, tmp_path / "distributed") as cluster:
        _first_moment(cluster)

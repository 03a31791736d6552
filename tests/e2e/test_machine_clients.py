"""Other platforms push work into Luoshi (issue 13 §6), through the gateway on the real services: the two
documented inbound examples (docs/examples/) run as another platform would run them — the 公文 system
registers an important document with its secret, the 应急 system creates an urgent task with a signed JWT —
within their organisation's subtree and outside it; every call is in the audit trail."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.e2e.cluster import Cluster

pytestmark = pytest.mark.e2e
EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
CITY, COUNTY, SIBLING = "520100000000", "520102000000", "520200000000"


def _run(example: str, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # nosec B603 - our own example scripts
        [sys.executable, str(EXAMPLES / example), *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _register(admin: httpx.Client, body: dict[str, object]) -> dict[str, str]:
    response = admin.post("/api/v1/machine-clients", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_inbound_examples_act_within_their_scope_only(distributed: Cluster, tmp_path: Path) -> None:
    admin = distributed.client("admin")
    gongwen = _register(
        admin, {"name": "贵阳市公文办理系统", "org_code": CITY, "actions": ["documents.register"]}
    )
    key = ec.generate_private_key(ec.SECP256R1())
    private = tmp_path / "yingji.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    yingji = _register(
        admin,
        {
            "name": "贵阳市应急管理平台",
            "org_code": CITY,
            "actions": ["tasks.create"],
            "public_key_pem": public.decode(),
        },
    )
    base = {"LUOSHI_URL": distributed.url}
    gongwen_env = {
        **base,
        "LUOSHI_CLIENT_ID": gongwen["id"],
        "LUOSHI_CLIENT_SECRET": gongwen["client_secret"],
    }
    yingji_env = {**base, "LUOSHI_CLIENT_ID": yingji["id"], "LUOSHI_PRIVATE_KEY": str(private)}
    deadline = (date.today() + timedelta(days=30)).isoformat()

    registered = _run(
        "gongwen_register_document.py", gongwen_env, CITY, "关于做好防汛工作的通知", "黔府发〔2026〕7号"
    )
    assert registered.returncode == 0, registered.stdout + registered.stderr
    assert "黔府发〔2026〕7号" in registered.stdout
    created = _run("yingji_create_task.py", yingji_env, COUNTY, "防汛抢险物资调度", deadline)
    assert created.returncode == 0, created.stdout + created.stderr
    assert '"lead_unit": "520102000000"' in created.stdout

    # Outside 贵阳市's subtree: 404, as for a person of 贵阳市; nothing written.
    documents = admin.get("/api/v1/documents", params={"limit": 1}).json()["total"]
    tasks = admin.get("/api/v1/tasks", params={"limit": 1, "total": "true"}).json()["total"]
    outside = _run("gongwen_register_document.py", gongwen_env, SIBLING, "越权登记", "黔府发〔2026〕8号")
    assert outside.returncode == 1 and "not-found" in outside.stdout, outside.stdout + outside.stderr
    outside = _run("yingji_create_task.py", yingji_env, SIBLING, "越权交办", deadline)
    assert outside.returncode == 1 and "not-found" in outside.stdout, outside.stdout + outside.stderr
    assert admin.get("/api/v1/documents", params={"limit": 1}).json()["total"] == documents
    assert admin.get("/api/v1/tasks", params={"limit": 1, "total": "true"}).json()["total"] == tasks

    # An action it was not granted: the 公文 system cannot create tasks.
    token = httpx.post(
        f"{distributed.url}/api/v1/auth/token",
        data={"grant_type": "client_credentials"},
        auth=(gongwen["id"], gongwen["client_secret"]),
        timeout=10,
    ).json()["access_token"]
    refused = httpx.post(
        f"{distributed.url}/api/v1/tasks",
        json={"title": "越权", "lead_unit": COUNTY, "deadline": deadline},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert refused.status_code == 403, refused.text

    # Every call is audited with the client as the actor (at 贵阳市, where the clients sit).
    trail = admin.get("/api/v1/audit", params={"org": CITY, "action": "client.call", "limit": 200}).json()
    actors = [row["actor_id"] for row in trail["items"]]
    assert actors.count(gongwen["id"]) == 3 and actors.count(yingji["id"]) == 2, trail

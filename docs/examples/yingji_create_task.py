"""应急管理平台 → 落实: create an urgent task, signed in with a JWT it signed (RFC 7523 private_key_jwt).

The platform keeps its private key; Luoshi's administrator registered the public key with the client. Needs
``pyjwt[crypto]``:

    LUOSHI_URL=https://luoshi.example.gov.cn LUOSHI_CLIENT_ID=mc-… LUOSHI_PRIVATE_KEY=key.pem \
        python yingji_create_task.py 520102000000 "防汛抢险物资调度" 2027-07-15

Prints the created task (JSON) and exits 0; on refusal prints the problem and exits 1.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import jwt

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def token(base: str, client_id: str, private_key_pem: str) -> str:
    now = int(time.time())
    assertion = jwt.encode(
        # iss = sub = the client id, aimed at the token endpoint, short-lived, used once (jti).
        {
            "iss": client_id,
            "sub": client_id,
            "aud": f"{base}/api/v1/auth/token",
            "iat": now,
            "exp": now + 60,
            "jti": str(uuid.uuid4()),
        },
        private_key_pem,
        algorithm="ES256",
    )
    form = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
    }
    request = urllib.request.Request(f"{base}/api/v1/auth/token", data=urllib.parse.urlencode(form).encode())
    with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310 - the configured Luoshi URL
        return str(json.load(response)["access_token"])


def create_task(base: str, access_token: str, body: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{base}/api/v1/tasks",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def main(lead_unit: str, title: str, deadline: str) -> int:
    base = os.environ["LUOSHI_URL"].rstrip("/")
    key = Path(os.environ["LUOSHI_PRIVATE_KEY"]).read_text()
    access = token(base, os.environ["LUOSHI_CLIENT_ID"], key)
    status, answer = create_task(base, access, {"title": title, "lead_unit": lead_unit, "deadline": deadline})
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0 if status == 201 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))

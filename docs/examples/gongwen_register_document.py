"""公文办理系统 → 落实: register an important document (重要文件) with OAuth2 client credentials.

Standard library only. The 公文 system's administrator-issued credentials come from the environment:

    LUOSHI_URL=https://luoshi.example.gov.cn LUOSHI_CLIENT_ID=mc-… LUOSHI_CLIENT_SECRET=mcs_… \
        python gongwen_register_document.py 520100000000 "关于加强数字政府建设的指导意见" "国发〔2026〕9号"

Prints the registered document (JSON) and exits 0; on refusal prints the problem (zh-CN first) and exits 1.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from typing import Any


def token(base: str, client_id: str, secret: str) -> str:
    """client_secret_basic (RFC 6749 §2.3.1): id and secret, form-encoded, in an HTTP Basic header."""
    pair = f"{urllib.parse.quote(client_id)}:{urllib.parse.quote(secret)}".encode()
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token",
        data=urllib.parse.urlencode({"grant_type": "client_credentials"}).encode(),
        headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310 - the configured Luoshi URL
        return str(json.load(response)["access_token"])


def call(base: str, access_token: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{base}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # nosec B310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def main(org_code: str, title: str, reference: str) -> int:
    base = os.environ["LUOSHI_URL"].rstrip("/")
    access = token(base, os.environ["LUOSHI_CLIENT_ID"], os.environ["LUOSHI_CLIENT_SECRET"])
    document = {
        "title": title,
        "reference": reference,
        "issuer_level": "国务院",
        "issue_date": date.today().isoformat(),
        "org_code": org_code,  # the lead unit that studies and carries it out
    }
    status, answer = call(base, access, "/api/v1/documents", document)
    print(json.dumps(answer, ensure_ascii=False, indent=2))
    return 0 if status == 201 else 1


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))

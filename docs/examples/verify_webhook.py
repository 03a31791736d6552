"""Receive Luoshi's webhooks and verify each delivery (docs/webhooks.md).

    pip install standardwebhooks
    LUOSHI_WEBHOOK_SECRET=whsec_… python docs/examples/verify_webhook.py --port 8080

Listens for POSTs, verifies ``webhook-id`` / ``webhook-timestamp`` / ``webhook-signature`` with the
subscription's secret (Standard Webhooks 1.0: HMAC-SHA256, at most 5 minutes of clock skew), answers
204 on success and 401 otherwise, and skips a ``webhook-id`` it has already handled (a retry of a
delivery it took). During a secret rotation give both secrets, comma-separated: a delivery then carries
one signature per secret.

``--self-test`` signs a sample CloudEvent the way Luoshi does and verifies it, without a network.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from standardwebhooks import Webhook, WebhookVerificationError

SEEN: set[str] = set()  # use your database in production: deliveries are at least once


def verify(body: bytes, headers: dict[str, str], secrets: list[str]) -> dict[str, object]:
    """The CloudEvent, if any of ``secrets`` signed it; WebhookVerificationError otherwise."""
    for secret in secrets:
        try:
            event: dict[str, object] = Webhook(secret).verify(body, headers)
            return event
        except WebhookVerificationError:
            continue
    raise WebhookVerificationError("no secret verifies this delivery")


class Handler(BaseHTTPRequestHandler):
    secrets: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            event = verify(body, dict(self.headers), self.secrets)
        except WebhookVerificationError as exc:
            self.send_response(401)
            self.end_headers()
            self.wfile.write(str(exc).encode())
            return
        delivery = self.headers["webhook-id"]
        if delivery not in SEEN:
            SEEN.add(delivery)
            print(
                json.dumps(
                    {"delivery": delivery, "type": event["type"], "id": event["id"]}, ensure_ascii=False
                )
            )
        self.send_response(204)  # any 2xx; anything else (or no answer within 10 s) is retried
        self.end_headers()


def self_test() -> None:
    secret = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    body = json.dumps(
        {"specversion": "1.0", "id": "e-1", "type": "tasking.task.overdue.v1", "data": {}}
    ).encode()
    msg_id, timestamp = "msg_0001", int(time.time())
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    headers = {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": "v1," + base64.b64encode(mac).decode(),
    }
    assert verify(body, headers, [secret])["type"] == "tasking.task.overdue.v1"
    try:
        verify(body + b" ", headers, [secret])
    except WebhookVerificationError:
        print("self-test passed: a signed delivery verifies, a changed body does not")
        return
    raise SystemExit("self-test failed: a tampered body verified")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument("--self-test", action="store_true")
    args = parser.parse_args()
    if args.self_test:
        self_test()
        return
    Handler.secrets = [s for s in os.environ["LUOSHI_WEBHOOK_SECRET"].split(",") if s]
    # A receiver listens on every interface of its host (put it behind your TLS terminator).
    ThreadingHTTPServer(("0.0.0.0", args.port), Handler).serve_forever()  # nosec B104


if __name__ == "__main__":
    main()

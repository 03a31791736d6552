"""SMS through a 政务短信平台-style HTTP gateway.

``POST {LUOSHI_SMS_URL}`` with JSON ``{"mobile", "content", "signName", "bizId"}`` and the headers
``X-App-Key``,
``X-Timestamp`` (Unix seconds), ``X-Nonce`` and ``X-Signature`` = hex HMAC-SHA256 over
``app_key \\n timestamp \\n nonce \\n body`` with the app secret. The gateway answers ``{"code": "0", …}`` on
success; any other code, or a non-2xx status, is a failure (a 4xx is permanent, a 5xx or a timeout is
retried).
``bizId`` is the message id, so a gateway that deduplicates by it never sends one message twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

import httpx

from luoshi_notification.channels.base import Outcome, Outgoing
from luoshi_notification.config import NotificationSettings


def sign(app_key: str, secret: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = f"{app_key}\n{timestamp}\n{nonce}\n".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class SmsChannel:
    name = "sms"

    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings

    def request(self, message: Outgoing) -> tuple[bytes, dict[str, str]]:
        s = self.settings
        content = f"【{s.sms_sign_name}】{message.title}"[:300]
        body = json.dumps(
            {
                "mobile": message.address,
                "content": content,
                "signName": s.sms_sign_name,
                "bizId": message.notification_id,
            },
            ensure_ascii=False,
        ).encode()
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        headers = {
            "content-type": "application/json; charset=utf-8",
            "x-app-key": s.sms_app_key,
            "x-timestamp": timestamp,
            "x-nonce": nonce,
            "x-signature": sign(s.sms_app_key, s.sms_app_secret, timestamp, nonce, body),
        }
        return body, headers

    async def send(self, message: Outgoing) -> Outcome:
        body, headers = self.request(message)
        try:
            async with httpx.AsyncClient(timeout=self.settings.sms_timeout_seconds) as client:
                response = await client.post(self.settings.sms_url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
        if response.status_code >= 400:
            return Outcome(
                ok=False,
                error=f"HTTP {response.status_code}: {response.text[:200]}",
                permanent=response.status_code < 500,
            )
        try:
            answer = response.json()
        except ValueError:
            return Outcome(ok=False, error=f"not JSON: {response.text[:200]}")
        if str(answer.get("code")) != "0":
            return Outcome(
                ok=False, error=f"gateway code {answer.get('code')}: {answer.get('message', '')}"[:500]
            )
        return Outcome(ok=True)

"""The notification service's settings (``LUOSHI_*``). Every channel but the inbox is off until configured."""

from __future__ import annotations

from pydantic import Field

from luoshi_kit.settings import KitSettings


class NotificationSettings(KitSettings):
    service_name: str = "notification"

    # E-mail over SMTP (off while smtp_host is empty).
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_username: str = ""
    smtp_password: str = Field(default="", repr=False)
    smtp_starttls: bool = False
    smtp_tls: bool = False
    smtp_from: str = "luoshi@localhost"
    smtp_timeout_seconds: float = 10.0

    # SMS through the 政务短信平台 HTTP API (off while sms_url is empty): app key + HMAC-SHA256 signature.
    sms_url: str = ""
    sms_app_key: str = ""
    sms_app_secret: str = Field(default="", repr=False)
    sms_sign_name: str = "落实平台"
    sms_timeout_seconds: float = 10.0

    # IM robots (DingTalk, WeCom, Feishu … through apprise): JSON {org code: apprise URL}; a person's
    # messages go
    # to the robot of the nearest configured organisation above them (their unit's work group).
    im_robots: str = Field(default="", repr=False)

    # Sending: retries with backoff, then a final ``failed``; a record left ``sending`` longer than the
    # lease is
    # marked ``unknown`` (never sent twice).
    send_poll_seconds: float = 2.0
    send_max_attempts: int = 4
    send_backoff_seconds: float = 30.0
    send_lease_seconds: float = 300.0

    # Urgent messages unread after this many working hours are re-sent once on the next channel.
    urgent_resend_working_hours: float = 4.0
    workday_start_hour: int = 9
    workday_end_hour: int = 17
    escalation_poll_seconds: float = 60.0

    # The daily digest (Asia/Shanghai hour at which it goes out).
    digest_hour: int = 8
    digest_poll_seconds: float = 300.0

    # Webhooks: the retry schedule (seconds after each failed attempt; its length is the number of retries),
    # jitter, the number of failed attempts in a row that disables a subscription, how many posts one
    # replica has in flight at once, and hosts allowed to resolve to private addresses (comma-separated;
    # tests allow their local receiver).
    webhook_retry_schedule: str = "5,300,1800,7200,18000,36000,36000"
    webhook_jitter: float = 0.2
    webhook_disable_after: int = 30
    webhook_timeout_seconds: float = 10.0
    webhook_concurrency: int = 16
    webhook_poll_seconds: float = 1.0
    webhook_lease_seconds: float = 120.0
    webhook_allowed_hosts: str = ""
    webhook_secret_overlap_hours: float = 24.0

    # The live inbox stream polls the database this often (every replica serves any person).
    stream_poll_seconds: float = 1.0
    stream_heartbeat_seconds: float = 15.0

    def allowed_hosts(self) -> frozenset[str]:
        return frozenset(h.strip().lower() for h in self.webhook_allowed_hosts.split(",") if h.strip())

    def retry_schedule(self) -> list[float]:
        return [float(s) for s in self.webhook_retry_schedule.split(",") if s.strip()]

"""E-mail over SMTP (aiosmtplib)."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from luoshi_notification.channels.base import Outcome, Outgoing
from luoshi_notification.config import NotificationSettings


class EmailChannel:
    name = "email"

    def __init__(self, settings: NotificationSettings) -> None:
        self.settings = settings

    def compose(self, message: Outgoing) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.settings.smtp_from
        mail["To"] = message.address
        mail["Subject"] = f"[落实] {message.title}"
        mail["Message-ID"] = f"<{message.notification_id}@luoshi>"
        mail.set_content(f"{message.title}\n\n{message.body}\n\n— 落实平台 (请登录平台查看详情)")
        return mail

    async def send(self, message: Outgoing) -> Outcome:
        s = self.settings
        try:
            await aiosmtplib.send(
                self.compose(message),
                hostname=s.smtp_host,
                port=s.smtp_port,
                username=s.smtp_username or None,
                password=s.smtp_password or None,
                start_tls=s.smtp_starttls,
                use_tls=s.smtp_tls,
                timeout=s.smtp_timeout_seconds,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return Outcome(ok=False, error=f"recipient refused: {exc}"[:500], permanent=True)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return Outcome(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
        return Outcome(ok=True)

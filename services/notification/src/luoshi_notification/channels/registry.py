"""Which channels this deployment has (from settings) and where each reaches a person."""

from __future__ import annotations

from dataclasses import dataclass, field

from luoshi_notification.channels.base import Channel, InAppChannel
from luoshi_notification.channels.email import EmailChannel
from luoshi_notification.channels.im import ImChannel, parse_robots, robot_for
from luoshi_notification.channels.sms import SmsChannel
from luoshi_notification.config import NotificationSettings
from luoshi_notification.preferences.models import Preference


@dataclass
class Channels:
    adapters: dict[str, Channel]
    robots: dict[str, str] = field(default_factory=dict)

    def address(self, channel: str, pref: Preference | None, org_code: str) -> str | None:
        """Where ``channel`` reaches the person, or None (not configured here, or no address given)."""
        if channel not in self.adapters:
            return None
        if channel == "in_app":
            return "inbox"
        if channel == "im":
            return robot_for(org_code, self.robots)
        if pref is None:
            return None
        return pref.email if channel == "email" else pref.mobile if channel == "sms" else None


def build_channels(settings: NotificationSettings) -> Channels:
    adapters: dict[str, Channel] = {"in_app": InAppChannel()}
    if settings.smtp_host:
        adapters["email"] = EmailChannel(settings)
    if settings.sms_url:
        adapters["sms"] = SmsChannel(settings)
    robots = parse_robots(settings.im_robots)
    if robots:
        adapters["im"] = ImChannel()
    return Channels(adapters=adapters, robots=robots)

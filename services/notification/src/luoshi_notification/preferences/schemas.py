from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from luoshi_kit.text import PlainText

# PlainText refuses control characters (PostgreSQL refuses NUL in text: it was a 500).
Email = Annotated[PlainText, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Mobile = Annotated[str, Field(pattern=r"^1\d{10}$", description="11 位手机号 mainland mobile number")]


# A wall-clock time of day in Beijing time, without an offset ("22:00", "07:30:00"): JSON Schema's
# ``format: time`` demands an offset, which a quiet-hours setting does not have.
ClockTime = Annotated[
    time,
    AfterValidator(lambda t: t.replace(tzinfo=None)),  # a wall-clock time: an offset sent is dropped
    WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?$"}),
]


class PreferenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channels: list[Literal["email", "sms", "im"]] = Field(
        default_factory=list, max_length=3, description="站内消息之外的渠道 channels besides the inbox"
    )
    email: Email | None = None
    mobile: Mobile | None = None
    quiet_start: ClockTime | None = Field(default=None, description="免打扰开始 (北京时间) quiet hours start")
    quiet_end: ClockTime | None = Field(default=None, description="免打扰结束 quiet hours end")
    digest: bool = Field(default=False, description="每日邮件汇总 daily e-mail digest")


class PreferenceOut(PreferenceIn):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    person_id: str
    updated_at: datetime | None = None
    available: list[str] = Field(
        default_factory=list, description="本部署已配置的渠道 channels this deployment has"
    )

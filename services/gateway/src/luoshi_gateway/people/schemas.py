from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from luoshi_kit.text import PlainText
from luoshi_proto.divisions import CODE_PATTERN
from luoshi_proto.gateway.v1 import Role

Text = Annotated[PlainText, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Area = Annotated[PlainText, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Username = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{3,64}$")]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128)]
OrgCode = Annotated[str, StringConstraints(pattern=CODE_PATTERN)]
InspectorType = Literal["full_time", "part_time", "special"]
RepresentativeType = Literal["party_congress", "npc", "cppcc"]


class RoleDetails(BaseModel):
    overseen_areas: list[Area] = Field(default_factory=list, max_length=20, description="分管领域")
    inspector_type: InspectorType | None = Field(None, description="督查专员: 专职/兼职/特邀")
    representative_type: RepresentativeType | None = Field(None, description="党代表/人大代表/政协委员")
    assessor_assignment: Text | None = Field(None, description="第三方评估任务")
    assessor_valid_from: AwareDatetime | None = None
    assessor_valid_to: AwareDatetime | None = None


class PersonCreate(RoleDetails):
    model_config = ConfigDict(extra="forbid")

    display_name: Text
    org_code: OrgCode
    roles: list[Role] = Field(min_length=1, max_length=8)
    username: Username | None = None
    password: Password | None = None
    oidc_subject: Annotated[PlainText, StringConstraints(min_length=1, max_length=255)] | None = None
    active: bool = True


class PersonPatch(BaseModel):
    """Only the fields sent change; ``null`` clears an optional one."""

    model_config = ConfigDict(extra="forbid")

    display_name: Text | None = None
    org_code: OrgCode | None = None
    roles: list[Role] | None = Field(None, min_length=1, max_length=8)
    username: Username | None = None
    oidc_subject: Annotated[PlainText, StringConstraints(min_length=1, max_length=255)] | None = None
    active: bool | None = None
    overseen_areas: list[Area] | None = Field(None, max_length=20)
    inspector_type: InspectorType | None = None
    representative_type: RepresentativeType | None = None
    assessor_assignment: Text | None = None
    assessor_valid_from: AwareDatetime | None = None
    assessor_valid_to: AwareDatetime | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    new_password: Password
    old_password: Annotated[str, StringConstraints(max_length=128)] | None = Field(
        None, description="本人修改时必填 Required when changing one's own"
    )


class PersonOut(RoleDetails):
    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str | None
    display_name: str
    org_code: str
    roles: list[str]
    active: bool
    oidc_subject: str | None
    assessor_assignment: str | None = None
    assessor_valid_from: AwareDatetime | None = None
    assessor_valid_to: AwareDatetime | None = None
    overseen_areas: list[str] = Field(default_factory=list)

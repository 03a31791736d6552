"""Seeds Guizhou's organisation tree, its standard departments and staff, and the demo accounts.

Keyword-only and never commits: ``luoshi seed`` and the embedded first start own the transaction.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from luoshi_gateway.auth.passwords import hash_password
from luoshi_gateway.orgs.models import Org
from luoshi_gateway.orgs.service import upsert_org
from luoshi_gateway.people.models import Person
from luoshi_gateway.people.service import upsert_person

# Standard departments (部门) of each province, city and county government.
STANDARD_DEPARTMENTS = ("发展和改革委员会", "财政局", "教育局", "生态环境局")
GOVERNMENT_ROLES = {  # role -> title of the seeded person
    "principal": "主要负责同志",
    "deputy": "分管负责同志",
    "handler": "具体承办人",
    "office": "督查室工作人员",
}
TOWNSHIP_ROLES = ("principal", "handler")
DEPARTMENT_ROLES = ("principal", "handler")


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    org_code: str
    roles: tuple[str, ...]
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "系统管理员", "520000000000", ("admin",), "省级系统管理员 administrator"),
    DemoAccount(
        "province_office", "省政府督查室 张科员", "520000000000", ("office",), "贵州省人民政府督查室科员"
    ),
    DemoAccount("city_deputy", "贵阳市 李副市长", "520100000000", ("deputy",), "贵阳市人民政府分管负责同志"),
    DemoAccount("county_handler", "南明区 王承办", "520102000000", ("handler",), "贵阳市南明区具体承办人"),
)


def division_rows() -> list[dict[str, str]]:
    text = resources.files("luoshi_gateway.orgs.data").joinpath("guizhou_divisions.csv").read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _government_name(row: dict[str, str]) -> str:
    return row["name"] if row["level"] == "township" else f"{row['name']}人民政府"


async def seed_org_tree(*, session: AsyncSession) -> int:
    """Adds what is missing of the tree and its staff; returns how many organisations (governments and
    departments) were added."""
    existing = set((await session.scalars(select(Org.code))).all())
    added = 0
    for row in division_rows():
        code, level = row["code"], row["level"]
        if code in existing:
            continue
        added += 1
        upsert_org(
            session=session,
            org=Org(
                code=code,
                name=_government_name(row),
                kind="government",
                level=level,
                parent_code=row["parent_code"] or None,
                synthetic=row["synthetic"] == "1",
                active=True,
            ),
        )
        roles = TOWNSHIP_ROLES if level == "township" else tuple(GOVERNMENT_ROLES)
        for role in roles:
            upsert_person(
                session=session,
                person=Person(
                    id=f"p-{code}-{role}",
                    username=None,
                    display_name=f"{row['name']}{GOVERNMENT_ROLES[role]}",
                    org_code=code,
                    roles=[role],
                    password_hash=None,
                    active=True,
                ),
            )
        if level == "township":
            continue
        for number, dept in enumerate(STANDARD_DEPARTMENTS, start=1):
            dept_code = f"{code}D{number:02d}"
            added += 1
            upsert_org(
                session=session,
                org=Org(
                    code=dept_code,
                    name=f"{row['name']}{dept}",
                    kind="department",
                    level=level,
                    parent_code=code,
                    synthetic=False,
                    active=True,
                ),
            )
            for role in DEPARTMENT_ROLES:
                upsert_person(
                    session=session,
                    person=Person(
                        id=f"p-{dept_code}-{role}",
                        username=None,
                        display_name=f"{row['name']}{dept}{GOVERNMENT_ROLES[role]}",
                        org_code=dept_code,
                        roles=[role],
                        password_hash=None,
                        active=True,
                    ),
                )
    return added


async def seed_demo_accounts(*, session: AsyncSession, password: str) -> list[DemoAccount]:
    """Creates the demo accounts that do not exist yet, all with ``password``; returns those created."""
    existing = set((await session.scalars(select(Person.username).where(Person.username.is_not(None)))).all())
    created = []
    password_hash = hash_password(password)
    for account in DEMO_ACCOUNTS:
        if account.username in existing:
            continue
        upsert_person(
            session=session,
            person=Person(
                id=f"u-{account.username}",
                username=account.username,
                display_name=account.display_name,
                org_code=account.org_code,
                roles=list(account.roles),
                password_hash=password_hash,
                active=True,
            ),
        )
        created.append(account)
    return created

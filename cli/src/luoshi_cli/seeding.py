"""First start: the organisation tree and, on request, the demo accounts with one random password."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from luoshi_gateway.auth.passwords import new_password
from luoshi_gateway.main import SPEC as GATEWAY
from luoshi_gateway.orgs.models import Org
from luoshi_gateway.orgs.seed import DemoAccount, seed_demo_accounts, seed_org_tree
from luoshi_kit.db import make_engine, make_sessionmaker


async def gateway_is_empty(database_url: str) -> bool:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            return not await conn.scalar(select(func.count()).select_from(Org))
    finally:
        await engine.dispose()


async def seed(database_url: str, *, demo: bool, data_dir: Path) -> tuple[int, list[DemoAccount], str | None]:
    """Seeds what is missing; returns (orgs added, demo accounts created, their password or None)."""
    engine = make_engine(database_url)
    maker = make_sessionmaker(engine, GATEWAY.tables)
    password = new_password() if demo else None
    try:
        async with maker() as session, session.begin():
            added = await seed_org_tree(session=session)
            created = await seed_demo_accounts(session=session, password=password) if password else []
    finally:
        await engine.dispose()
    if created and password:
        write_demo_password(data_dir, password)
    return added, created, password if created else None


def write_demo_password(data_dir: Path, password: str) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "demo-password"
    path.write_text(password + "\n")
    path.chmod(0o600)


def print_demo_accounts(created: list[DemoAccount], password: str, data_dir: Path) -> None:
    print("演示账号 Demo accounts (密码只显示这一次 password shown once):")
    for account in created:
        print(f"  {account.username:<16} {account.description}")
    print(f"  password: {password}   (also in {data_dir / 'demo-password'})")

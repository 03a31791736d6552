"""Each service's Alembic migrations build exactly the schema its models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from luoshi_cli.registry import SERVICES
from luoshi_kit.migrations import upgrade


@pytest.mark.parametrize("entry", SERVICES, ids=[s.name for s in SERVICES])
def test_migrations_match_models(entry, tmp_path: Path) -> None:
    database = tmp_path / f"{entry.name}.db"
    upgrade(entry.package, f"sqlite+aiosqlite:///{database}")
    metadata = __import__(f"{entry.package}.main", fromlist=["SPEC"]).SPEC.base.metadata
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    engine.dispose()
    assert not differences, (
        f"{entry.name}: models and migrations differ — add a migration "
        f"(alembic revision --autogenerate) for: {str(differences)[:1500]}"
    )

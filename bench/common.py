"""What the scale benchmarks share: the PostgreSQL server, a fresh database, the Guizhou divisions, p95, the
machine line, and replacing one's own section of RESULTS.md. Run the scripts as modules from the repository
root (``uv run python -m bench.scoring_scale``) so ``bench.common`` imports."""

from __future__ import annotations

import csv
import os
import platform
import statistics
import subprocess
from pathlib import Path

from sqlalchemy import pool, text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[1]
DIVISIONS = ROOT / "services/gateway/src/luoshi_gateway/orgs/data/guizhou_divisions.csv"
RESULTS = ROOT / "bench/RESULTS.md"


def server_url() -> str:
    url = os.environ.get("LUOSHI_BENCH_POSTGRES_URL") or os.environ.get("LUOSHI_TEST_POSTGRES_URL")
    return (url or "postgresql+asyncpg://postgres@127.0.0.1:5432").rstrip("/")


SECRET, JWT = "bench-internal-secret-0123456789abcdef", "bench-jwt-secret-0123456789abcdef"


def service_env(*, vhost: str, database_url: str, log_level: str, **extra: str) -> dict[str, str]:
    """The environment a bench starts ``luoshi serve`` with: its own RabbitMQ vhost and database, the
    bench's secrets (``extra``: more ``LUOSHI_*`` variables)."""
    amqp = os.environ.get("LUOSHI_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672").rstrip("/")
    return {
        **os.environ,
        "LUOSHI_AMQP_URL": f"{amqp}/{vhost}",
        "LUOSHI_DATABASE_URL": database_url,
        "LUOSHI_INTERNAL_SECRET": SECRET,
        "LUOSHI_JWT_SECRET": JWT,
        "LUOSHI_LOG_LEVEL": log_level,
        **extra,
    }


def load_orgs() -> list[dict[str, str]]:
    with DIVISIONS.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


async def recreate_database(server: str, name: str) -> str:
    admin = create_async_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT", poolclass=pool.NullPool)
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    await admin.dispose()
    return f"{server}/{name}"


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1] if len(values) >= 2 else values[0]


def machine() -> str:
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        model = next((line.split(":", 1)[1].strip() for line in out.splitlines() if "Model name" in line), "")
    except OSError:
        pass
    return f"{os.cpu_count()} cores {model or platform.processor()}, Python {platform.python_version()}"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.1f} / {five:.1f} / {fifteen:.1f}"


def replace_section(path: Path, heading: str, section: str) -> None:
    """Replace the ``## heading`` section of ``path`` (or append it)."""
    text_ = path.read_text(encoding="utf-8") if path.exists() else ""
    start = text_.find(heading)
    if start < 0:
        text_ = text_.rstrip("\n") + "\n\n" + section
    else:
        end = text_.find("\n## ", start + len(heading))
        text_ = text_[:start] + section + ("\n" + text_[end + 1 :] if end >= 0 else "")
    path.write_text(text_, encoding="utf-8")

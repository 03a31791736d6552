"""The ``luoshi demo`` command's body: read the demo password, load, print what was loaded."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from pathlib import Path

import typer

from luoshi_cli.demo.api import DemoError
from luoshi_cli.demo.load import Loaded, load_demo
from luoshi_cli.demo.plan import Shape
from luoshi_kit.timebase import business_today

SMALL = Shape(cities=1, counties_per_city=2, townships_per_county=1, province_to_city=12, city_to_county=6)


def _password(data_dir: Path) -> str:
    if os.environ.get("LUOSHI_DEMO_PASSWORD"):
        return os.environ["LUOSHI_DEMO_PASSWORD"]
    path = data_dir / "demo-password"
    if not path.exists():
        raise typer.BadParameter(
            f"{path} 不存在: 先运行 luoshi up (首次启动会创建演示账号), 或设置 LUOSHI_DEMO_PASSWORD"
        )
    return path.read_text().strip()


def run_demo(
    *, url: str, data_dir: Path, cities: int, small: bool, database_url: Callable[[str, Path], str]
) -> int:
    shape = SMALL if small else Shape(cities=max(1, min(9, cities)))
    started = time.monotonic()
    try:
        loaded = asyncio.run(
            load_demo(
                base_url=url,
                password=_password(data_dir),
                shape=shape,
                today=business_today(),
                tasking_url=database_url("tasking", data_dir),
                gateway_url=database_url("gateway", data_dir),
            )
        )
    except DemoError as exc:
        typer.echo(f"demo: {exc}", err=True)
        return 1
    print_loaded(loaded, time.monotonic() - started)
    return 0


def print_loaded(loaded: Loaded, seconds: float) -> None:
    typer.echo(f"演示数据已载入 demo loaded in {seconds:.0f}s ({loaded.requests} API requests)")
    typer.echo(f"  任务 tasks: {len(loaded.tasks)} + 分解 decomposition {len(loaded.decomposed)}")
    typer.echo("  状态 by state: " + ", ".join(f"{k} {v}" for k, v in sorted(loaded.by_state.items())))
    typer.echo("  颜色 by colour: " + ", ".join(f"{k} {v}" for k, v in sorted(loaded.by_colour.items())))
    typer.echo(f"  催办 urges: {loaded.urges}; 账号 accounts enabled: {len(loaded.accounts)}")
    done = loaded.oversight
    typer.echo(
        f"  督查 inspections: {len(done.inspections)}; 整改 rectifications: {len(done.rectifications)}; "
        f"自查 self-checks: {done.self_checks}; 排名 published rankings: {len(done.rankings)}; "
        f"免督查 exempted: {', '.join(done.exempted)}"
    )
    typer.echo("  账号 sign in as e.g. 520000_principal, 520100_office, 520102_office (密码同演示密码)")

"""``luoshi``: start the platform, migrate, seed, serve one service, and look after dead letters."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from luoshi_cli.registry import BY_NAME, SERVICES
from luoshi_cli.secrets import ensure_secrets
from luoshi_kit.logging import configure_logging
from luoshi_kit.migrations import upgrade

app = typer.Typer(
    help="落实 Luoshi — 政府督查管理平台 work-implementation supervision platform", no_args_is_help=True
)
dlq_app = typer.Typer(help="死信队列 Dead-letter queues", no_args_is_help=True)
app.add_typer(dlq_app, name="dlq")

DataDir = Annotated[Path, typer.Option("--data-dir", help="数据目录 where SQLite files and keys live")]
Port = Annotated[int, typer.Option("--port", help="网关端口 gateway port; services use the next four")]


def _database_url(service: str, data_dir: Path) -> str:
    """The URL a service uses: per-service env, then LUOSHI_DATABASE_URL, then SQLite under data_dir."""
    template = (
        os.environ.get("LUOSHI_DATABASE_URL") or f"sqlite+aiosqlite:///{data_dir.resolve()}/{{service}}.db"
    )
    return os.environ.get(f"LUOSHI_{service.upper()}_DATABASE_URL") or template.replace("{service}", service)


def _migrate_all(data_dir: Path) -> None:
    for entry in SERVICES:
        upgrade(entry.package, _database_url(entry.name, data_dir))


def _seed(data_dir: Path, demo: bool) -> None:
    from luoshi_cli.seeding import print_demo_accounts, seed

    added, created, password = asyncio.run(
        seed(_database_url("gateway", data_dir), demo=demo, data_dir=data_dir)
    )
    typer.echo(f"组织机构 organisations added: {added}")
    if created and password:
        print_demo_accounts(created, password, data_dir)


@app.command()
def migrate(data_dir: DataDir = Path("var")) -> None:
    """数据库迁移 Bring every service's database to the newest schema (Alembic)."""
    configure_logging("WARNING", as_json=False)
    _migrate_all(data_dir)
    typer.echo("migrated: " + ", ".join(s.name for s in SERVICES))


@app.command("seed")
def seed_command(
    data_dir: DataDir = Path("var"),
    demo: Annotated[
        bool, typer.Option("--demo", help="也创建演示账号 also create the demo accounts")
    ] = False,
) -> None:
    """载入组织机构 Load Guizhou's organisation tree (and with --demo the demo accounts)."""
    configure_logging("WARNING", as_json=False)
    _seed(data_dir, demo)


@app.command("demo")
def demo_command(
    url: Annotated[str, typer.Option("--url", help="网关地址 the running gateway")] = "http://127.0.0.1:8000",
    data_dir: DataDir = Path("var"),
    cities: Annotated[int, typer.Option("--cities", help="参与的市州数 cities taking part (1-9)")] = 9,
    small: Annotated[bool, typer.Option("--small", help="少量数据 a small load (tests)")] = False,
) -> None:
    """载入演示数据 Load a living system (tasks of every state and colour down four tiers, reports,
    extensions, decomposition, urges) into a running Luoshi through its API; runs once per data folder."""
    configure_logging("WARNING", as_json=False)
    from luoshi_cli.demo.main import run_demo

    code = run_demo(url=url, data_dir=data_dir, cities=cities, small=small, database_url=_database_url)
    raise typer.Exit(code)


@app.command("generate")
def generate_command(
    check: Annotated[bool, typer.Option("--check", help="list stale files, write nothing")] = False,
) -> None:
    """生成契约文件 Regenerate subscriptions, JSON Schemas, AsyncAPI and RabbitMQ definitions."""
    from luoshi_cli.generate import generate

    stale = generate(check=check)
    for path in stale:
        typer.echo(f"{'stale' if check else 'wrote'}: {path}")
    if check and stale:
        raise typer.Exit(1)


@app.command()
def up(
    port: Port = 8000,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    data_dir: DataDir = Path("var"),
) -> None:
    """启动全部服务 Start everything: embedded by default, separate processes when LUOSHI_AMQP_URL is set."""
    configure_logging(os.environ.get("LUOSHI_LOG_LEVEL", "INFO"), as_json=False)
    secrets = ensure_secrets(data_dir)
    _migrate_all(data_dir)
    from luoshi_cli.seeding import gateway_is_empty

    if asyncio.run(gateway_is_empty(_database_url("gateway", data_dir))):
        _seed(data_dir, demo=True)
    distributed = bool(os.environ.get("LUOSHI_AMQP_URL"))
    mode = "RabbitMQ, one process per service" if distributed else "embedded"
    typer.echo(f"落实 Luoshi ({mode}) 启动中 starting; waiting until every service is ready …")

    def announce() -> None:
        # Printed only when every service's /readyz is 200: what this line names can serve.
        typer.echo(
            f"落实 Luoshi ({mode}) 已就绪 ready "
            f"— 打开 open http://{host}:{port}/  (API: http://{host}:{port}/api/v1, docs /api/docs)"
        )
        sys.stdout.flush()

    if distributed:
        from luoshi_cli.processes import run_services

        os.environ.setdefault("LUOSHI_DATABASE_URL", _database_url("{service}", data_dir))
        raise typer.Exit(run_services(host, port, secrets, on_ready=announce))
    from luoshi_cli.embedded import serve_all

    try:
        asyncio.run(serve_all(host, port, _database_url("{service}", data_dir), secrets, on_ready=announce))
    except KeyboardInterrupt:
        pass


@app.command()
def serve(
    service: Annotated[str, typer.Argument(help="gateway | tasking | supervision | scoring | notification")],
    port: Annotated[int, typer.Option("--port")] = 8000,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
) -> None:
    """运行单个服务 Run one service against RabbitMQ (settings from LUOSHI_* variables)."""
    import uvicorn

    entry = BY_NAME.get(service)
    if entry is None:
        raise typer.BadParameter(f"unknown service {service}")
    settings = entry.settings()
    configure_logging(settings.log_level, settings.log_json)
    from luoshi_cli.serving import tune_gc, uvicorn_config

    served = entry.factory()(settings)
    tune_gc(settings.gc_young_threshold)
    uvicorn.Server(uvicorn_config(served, host=host, port=port)).run()


@app.command("rebuild-summaries")
def rebuild_summaries_command(data_dir: DataDir = Path("var")) -> None:
    """重算看板汇总 Recount the gateway's dashboard summaries from its task views (after a repair)."""
    configure_logging("WARNING", as_json=False)
    from luoshi_cli.views import rebuild_summaries

    before, after = asyncio.run(rebuild_summaries(_database_url("gateway", data_dir)))
    typer.echo(f"dashboard summaries: {before} differing figure(s) found, {after} row(s) written")


@dlq_app.command("list")
def dlq_list(service: str) -> None:
    """列出死信 List the dead letters of a service."""
    from luoshi_cli.dlq import list_dead_letters

    letters = asyncio.run(list_dead_letters(_amqp_url(), service))
    for letter in letters:
        typer.echo(
            f"{letter.message_id}  {letter.event_type}  {letter.routing_key}  "
            f"reason={letter.reason} count={letter.count}"
        )
    typer.echo(f"{len(letters)} dead letter(s) in {service}.dlq")


@dlq_app.command("replay")
def dlq_replay(service: str) -> None:
    """重新投递 Replay a service's dead letters into its queue (after fixing the cause)."""
    from luoshi_cli.dlq import replay_dead_letters

    typer.echo(f"replayed {asyncio.run(replay_dead_letters(_amqp_url(), service))} message(s) to {service}")


def _amqp_url() -> str:
    url = os.environ.get("LUOSHI_AMQP_URL")
    if not url:
        raise typer.BadParameter("LUOSHI_AMQP_URL is not set (dead-letter queues live in RabbitMQ)")
    return url


if __name__ == "__main__":
    app()

"""Settings every service shares, read from ``LUOSHI_*`` environment variables."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class KitSettings(BaseSettings):
    """What every service needs to run. A service subclasses it to add its own settings."""

    model_config = SettingsConfigDict(env_prefix="LUOSHI_", extra="ignore")

    service_name: str = "luoshi"
    # ``{service}`` in the URL is replaced by the service name, so one value can serve all five.
    database_url: str = "sqlite+aiosqlite:///./var/{service}.db"
    # Connections per process: the pool opens up to twice this many as load needs them and keeps them
    # (PostgreSQL's max_connections, 100 by default, is shared by every process of every service).
    db_pool_size: int = 10
    # Empty means the in-process bus of the embedded mode.
    amqp_url: str = ""
    internal_secret: str = Field(default="", repr=False)
    log_level: str = "INFO"
    log_json: bool = True
    outbox_batch_size: int = 500
    outbox_poll_seconds: float = 0.25
    outbox_keep_days: int = 7
    consumer_prefetch: int = 200
    consumer_batch_size: int = 100
    # Seconds a consumed batch waits for more messages after its first (see AmqpBus): fewer, larger
    # batches for that much latency. At 500 events/s, 20 ms made batches of ~18 instead of ~6-11 and cut
    # the consumer's CPU per event by a quarter (0.61-0.69 -> 0.45-0.54 ms, bench/RESULTS.md, issue 10).
    consumer_linger_seconds: float = 0.02
    delivery_limit: int = 5
    # Python's cyclic garbage collector in a served process (``luoshi serve``): the objects alive once the
    # app is built are frozen out of it, and the youngest generation is collected after this many new
    # objects instead of 700 (0 keeps Python's own settings). See luoshi_cli.serving.tune_gc.
    gc_young_threshold: int = 50_000
    # Request bodies (counted as they stream in, chunked or not): JSON routes, and the upload routes.
    max_body_bytes: int = 1024 * 1024
    upload_max_body_bytes: int = 5 * 1024 * 1024 + 64 * 1024
    # The public gateway's /metrics wants ``Authorization: Bearer <this>``; empty turns it off there.
    # Services' own /metrics stay open: their ports belong on the internal network only.
    metrics_token: str = Field(default="", repr=False)
    # Peers whose X-Forwarded-For is believed (addresses or networks, comma-separated); empty: none.
    trusted_proxies: str = ""

    def resolved_database_url(self) -> str:
        """``LUOSHI_<SERVICE>_DATABASE_URL``, else ``LUOSHI_DATABASE_URL`` with ``{service}`` filled."""
        own = os.environ.get(f"LUOSHI_{self.service_name.upper()}_DATABASE_URL")
        return own or self.database_url.replace("{service}", self.service_name)

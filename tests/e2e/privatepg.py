"""A PostgreSQL server of a test's own, so a fault can crash it without touching the machine's shared one.

``initdb`` in a temporary folder, run as the ``postgres`` system user on a free loopback port; ``crash()`` is
``pg_ctl stop -m immediate`` (no checkpoint, open connections cut: what a power cut or ``kill -9`` of the
postmaster leaves, recovered from the WAL on the next start) and ``start()`` brings it back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tests.e2e.cluster import free_port_block

BIN = Path(os.environ.get("LUOSHI_TEST_PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> bool:
    """initdb is installed and this process may act as the postgres user (root on the CI machine)."""
    return (BIN / "initdb").exists() and os.geteuid() == 0 and shutil.which("runuser") is not None


@dataclass
class PrivatePostgres:
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="luoshi-pg-")))
    port: int = field(default_factory=lambda: free_port_block(1))

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}"

    def _as_postgres(self, *command: str, timeout: float = 120) -> None:
        subprocess.run(  # nosec B603 (fixed binaries, our own folder)
            ["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, timeout=timeout
        )

    def create(self) -> PrivatePostgres:
        shutil.chown(self.folder, "postgres", "postgres")
        self._as_postgres(
            str(BIN / "initdb"), "-D", str(self.folder / "data"), "-A", "trust", "-U", "postgres"
        )
        self.start()
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=60"
        data, log = str(self.folder / "data"), str(self.folder / "server.log")
        self._as_postgres(str(BIN / "pg_ctl"), "-D", data, "-o", options, "-l", log, "-w", "start")

    def crash(self) -> None:
        self._as_postgres(str(BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop")

    def destroy(self) -> None:
        try:
            self._as_postgres(str(BIN / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.folder, ignore_errors=True)

"""The keys a deployment needs; generated once per data folder when the environment gives none."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

KEYS = ("LUOSHI_INTERNAL_SECRET", "LUOSHI_JWT_SECRET")


def ensure_secrets(data_dir: Path) -> dict[str, str]:
    """Environment values win; otherwise read, or create, ``<data-dir>/secrets.json`` (mode 600)."""
    path = data_dir / "secrets.json"
    stored: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    missing = [k for k in KEYS if k not in stored]
    if missing:
        stored.update({k: secrets.token_urlsafe(32) for k in missing})
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(stored))
        path.chmod(0o600)
    return {k: os.environ.get(k) or stored[k] for k in KEYS}

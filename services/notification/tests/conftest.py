"""Notification's tests read the published event samples of tests/contract (the repository root on the path:
the suite runs with --import-mode=importlib, which does not add it)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[3])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

"""Alembic environment of the scoring service."""

from luoshi_kit.migrations import run_env
from luoshi_scoring.main import SPEC

run_env(SPEC.base.metadata)

"""Alembic environment of the scoring service."""

from luoshi_scoring.main import SPEC
from luoshi_kit.migrations import run_env

run_env(SPEC.base.metadata)

"""Alembic environment of the supervision service."""

from luoshi_kit.migrations import run_env
from luoshi_supervision.main import SPEC

run_env(SPEC.base.metadata)

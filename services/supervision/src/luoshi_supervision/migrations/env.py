"""Alembic environment of the supervision service."""

from luoshi_supervision.main import SPEC
from luoshi_kit.migrations import run_env

run_env(SPEC.base.metadata)

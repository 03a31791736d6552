"""Alembic environment of the tasking service."""

from luoshi_kit.migrations import run_env
from luoshi_tasking.main import SPEC

run_env(SPEC.base.metadata)

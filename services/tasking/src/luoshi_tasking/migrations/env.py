"""Alembic environment of the tasking service."""

from luoshi_tasking.main import SPEC
from luoshi_kit.migrations import run_env

run_env(SPEC.base.metadata)

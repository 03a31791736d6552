"""Alembic environment of the gateway service."""

from luoshi_gateway.main import SPEC
from luoshi_kit.migrations import run_env

run_env(SPEC.base.metadata)

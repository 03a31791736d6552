"""Alembic environment of the notification service."""

from luoshi_notification.main import SPEC
from luoshi_kit.migrations import run_env

run_env(SPEC.base.metadata)

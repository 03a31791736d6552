"""Alembic environment of the notification service."""

from luoshi_kit.migrations import run_env
from luoshi_notification.main import SPEC

run_env(SPEC.base.metadata)

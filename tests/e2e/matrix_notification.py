"""The authorisation matrix rows of the notification service's routes (see matrix.py for the Route shape)."""

from __future__ import annotations

from tests.e2e.matrix import Route

NOTIFICATION_ROUTES: list[Route] = []

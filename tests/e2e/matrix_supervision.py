"""The authorisation matrix rows of the supervision service's routes (see matrix.py for the Route shape)."""

from __future__ import annotations

from tests.e2e.matrix import Route

SUPERVISION_ROUTES: list[Route] = []

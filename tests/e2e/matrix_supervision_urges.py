"""Authorisation matrix rows of supervision's urges, orders, clues and notices (Route: see matrix.py)."""

from __future__ import annotations

from tests.e2e.matrix import Route

SUPERVISION_URGE_ROUTES: list[Route] = []

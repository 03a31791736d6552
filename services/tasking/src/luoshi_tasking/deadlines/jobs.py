"""The periodic deadline scan (filled in by its owner)."""

from __future__ import annotations

import asyncio

from fastapi import FastAPI


async def run_deadline_scans(app: FastAPI) -> None:
    await asyncio.Event().wait()

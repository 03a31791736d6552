"""The gateway's declarative base (it also holds the kit's outbox and inbox tables)."""

from luoshi_kit.db import make_base

Base = make_base()

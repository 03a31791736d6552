"""The tasking service's declarative base (it also holds the kit's outbox, inbox and idempotency tables)."""

from luoshi_kit.db import make_base
from luoshi_kit.idempotency import idempotency_model

Base = make_base()
IdempotencyRecord = idempotency_model(Base)

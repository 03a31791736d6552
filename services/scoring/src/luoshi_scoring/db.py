"""The scoring service's declarative base (it also holds the kit's outbox and inbox tables)."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from luoshi_kit.db import NAMING, InboxMixin, OutboxMixin, ServiceTables
from luoshi_kit.idempotency import IdempotencyMixin


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OutboxEvent(OutboxMixin, Base):
    """Events staged in the same transaction as the change they announce (the kit's outbox table)."""


class InboxEvent(InboxMixin, Base):
    """Events this service has handled (the kit's inbox table)."""


class IdempotencyRecord(IdempotencyMixin, Base):
    """First responses to creates sent with an ``Idempotency-Key`` (the kit's idempotency table)."""


TABLES = ServiceTables(base=Base, outbox=OutboxEvent, inbox=InboxEvent)

"""Event handlers of the views (filled in by its owner)."""

from luoshi_kit.messaging.inbox import EventHandler

HANDLERS: dict[str, EventHandler] = {}

"""Messaging's models: conversations (`threads`) and the outbox of every mail and SMS that
leaves the portal (`outbox`)."""

from messaging.models.outbox import OutboxMessage
from messaging.models.threads import (
    STAFF_TEAM_LABEL,
    Attachment,
    Message,
    Thread,
    attachment_path,  # named by migration 0001
)

__all__ = [
    "STAFF_TEAM_LABEL",
    "Attachment",
    "Message",
    "OutboxMessage",
    "Thread",
    "attachment_path",
]

"""The outbox: mail is a row written in the same transaction as what it confirms, and is
delivered after commit by a background sender, `flask mail deliver` or `flask mail worker`."""

from .delivery import deliver_pending
from .outbox import (
    Attachment,
    HeaderInjectionError,
    add_to_outbox,
    compose_mail,
    outbox_counts,
    queue_mail,
    retry_failed,
    retry_mail,
)
from .sender import init_app

__all__ = [
    "Attachment",
    "HeaderInjectionError",
    "add_to_outbox",
    "compose_mail",
    "deliver_pending",
    "init_app",
    "outbox_counts",
    "queue_mail",
    "retry_failed",
    "retry_mail",
]

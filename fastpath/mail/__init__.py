"""The outbox: mail is a row written in the same transaction as what it confirms, and is
delivered after commit by a background sender, `flask mail deliver` or `flask mail worker`."""

from .outbox import Attachment, HeaderInjectionError, queue_mail

__all__ = ["Attachment", "HeaderInjectionError", "queue_mail"]

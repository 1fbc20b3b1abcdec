"""How many mails one client may have the site send to addresses it typed in.

Every form that mails an address of the visitor's choosing (the authors of a submission, a
registration's address) spends from one allowance per client, RATELIMIT_VISITOR_MAILS, so the
site cannot become a relay whichever form a stranger uses; and each address receives at most
RATELIMIT_RECIPIENT_MAILS of the mails strangers can ask for, however many clients ask.
"""

from __future__ import annotations

from flask import current_app
from limits import parse_many

from ..core.emails import normalize_email
from ..core.extensions import limiter


class TooManyMails(Exception):
    """This client has used up its allowance of mails to addresses it typed in."""


def spend_visitor_mails(client: str, count: int) -> None:
    """Count `count` mails to addresses `client` chose against RATELIMIT_VISITOR_MAILS; raise
    TooManyMails, spending nothing, when that is too many."""
    if not current_app.config.get("RATELIMIT_ENABLED", True) or count <= 0:
        return
    if not _spend("RATELIMIT_VISITOR_MAILS", "visitor-mail", client, count):
        current_app.logger.warning("mail refused: %s is over its visitor mail allowance", client)
        raise TooManyMails(client)


def recipient_has_room(address: str) -> bool:
    """Whether one more mail a stranger can trigger (a lost link, "already registered") may
    go to `address`: RATELIMIT_RECIPIENT_MAILS per address, whoever asks, so many clients
    together cannot flood one person. Spends one when it may. Callers check before they
    change anything, so a mail not sent leaves the last one sent (and its link) valid."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    key = normalize_email(address)
    if not _spend("RATELIMIT_RECIPIENT_MAILS", "recipient-mail", key, 1):
        current_app.logger.warning("mail not sent: %s has had its share of requested mail", key)
        return False
    return True


def _spend(setting: str, scope: str, key: str, cost: int) -> bool:
    """Spend `cost` from the limits named by `setting` for `key`, if all have room. Counters
    that cannot be read or written (a full disk, Redis gone) let the mail pass, as the
    site's other rate limits do (RATELIMIT_SWALLOW_ERRORS): the mail's own write then says
    whether the site can take it."""
    items = parse_many(current_app.config[setting])
    strategy = limiter.limiter
    try:
        if not all(strategy.test(item, scope, key, cost=cost) for item in items):
            return False
        for item in items:
            strategy.hit(item, scope, key, cost=cost)
    except Exception as error:  # whatever the storage raises: sqlite3, redis, OSError
        current_app.logger.error("%s counter unavailable, not counted: %s", scope, error)
    return True

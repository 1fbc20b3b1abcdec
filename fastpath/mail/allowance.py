"""How many mails one client may have the site send to addresses it typed in.

Every form that mails an address of the visitor's choosing (the authors of a submission, a
registration's address) spends from one allowance per client, RATELIMIT_VISITOR_MAILS, so the
site cannot become a relay whichever form a stranger uses.
"""

from __future__ import annotations

from flask import current_app
from limits import parse_many

from ..extensions import limiter


class TooManyMails(Exception):
    """This client has used up its allowance of mails to addresses it typed in."""


def spend_visitor_mails(client: str, count: int) -> None:
    """Count `count` mails to addresses `client` chose against RATELIMIT_VISITOR_MAILS; raise
    TooManyMails, spending nothing, when that is too many."""
    if not current_app.config.get("RATELIMIT_ENABLED", True) or count <= 0:
        return
    items = parse_many(current_app.config["RATELIMIT_VISITOR_MAILS"])
    strategy = limiter.limiter
    if not all(strategy.test(item, "visitor-mail", client, cost=count) for item in items):
        current_app.logger.warning("mail refused: %s is over its visitor mail allowance", client)
        raise TooManyMails(client)
    for item in items:
        strategy.hit(item, "visitor-mail", client, cost=count)

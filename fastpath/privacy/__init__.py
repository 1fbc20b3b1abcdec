"""Privacy: what is stored about one person (export), erasing it on request, and anonymising
attendee data a while after the workshop (retention).

Erasure and retention keep rows and replace what identifies a person, so counts, the waiting
list's order, submission numbers and the audit trail still add up afterwards. Each feature
says what happens to its own rows, in its own `privacy.py`:

- registrations: fastpath/registration/privacy.py
- submission authors (and a single author's PDF): fastpath/cfp/privacy.py
- mails to the person or about their registrations: fastpath/mail/privacy.py
- organizer accounts: fastpath/organizer/privacy.py

This package only orchestrates (services.py: the order, the audit log's part, the sweep of
every text column) and holds the `flask privacy ...` commands (cli.py). What erased data looks
like (placeholders, scrubbing text) is in fastpath/core/erasure.py.
"""

from .cli import init_app

__all__ = ["init_app"]

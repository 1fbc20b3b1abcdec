"""Every table, gathered so the metadata (and so migrations) knows them all.

Each feature keeps its models in its own package (the audit log's is in core/audit.py);
this module only imports them.
"""

from .cfp import models as cfp_models  # noqa: F401
from .core import audit as audit_models  # noqa: F401
from .groupmail import models as groupmail_models  # noqa: F401
from .mail.models import OutboxAttachment, OutboxMail, OutboxStatus
from .materials import models as materials_models  # noqa: F401
from .organizer import models as organizer_models  # noqa: F401
from .program import models as program_models  # noqa: F401
from .registration import models as registration_models  # noqa: F401
from .reviews import models as reviews_models  # noqa: F401

__all__ = ["OutboxAttachment", "OutboxMail", "OutboxStatus"]

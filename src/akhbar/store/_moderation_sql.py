"""Reports, moderation items, decisions and the audit log (migration 0006).

A mixin of ``SQLStore`` (see ``akhbar.store.base`` for the methods' contracts).
"""

from __future__ import annotations


class ModerationSQL:
    """Store methods for this part of the schema; uses SQLStore's hooks."""

"""Operators, their sessions and lockouts, outlets they add or edit (migration 0007).

A mixin of ``SQLStore`` (see ``akhbar.store.base`` for the methods' contracts).
"""

from __future__ import annotations


class AdminSQL:
    """Store methods for this part of the schema; uses SQLStore's hooks."""

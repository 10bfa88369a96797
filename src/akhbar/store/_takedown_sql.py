"""Operators' take-downs of articles and their undoing (migration 0006).

A mixin of ``SQLStore`` (see ``akhbar.store.base`` for the methods' contracts).
"""

from __future__ import annotations


class TakedownSQL:
    """Store methods for this part of the schema; uses SQLStore's hooks."""

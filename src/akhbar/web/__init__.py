"""The reader's site: HTML pages, the JSON API and feeds over the store (see app.py)."""

from akhbar.web.app import create_app

__all__ = ["create_app"]

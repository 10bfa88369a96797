"""The operator console at /admin: login, review queue, take-downs, outlets, audit log.

``install(app)`` adds it to the site (akhbar.web.app). guard.py says who may use it,
accounts.py holds the password rules and hashes, routes.py and outlets.py the pages.
"""

from akhbar.web.admin.routes import install

__all__ = ["install"]

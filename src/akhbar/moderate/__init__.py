"""Moderation: readers' reports, automatic blocking, images matched by perceptual hash.

Readers are told apart by keyed hashes (identity.py); what a report leads to is decided by
the store in one transaction (Store.record_report) under a ReportPolicy built from the
settings; crawled lead images are compared with blocked ones (images.py).
"""

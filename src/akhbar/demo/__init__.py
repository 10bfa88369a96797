"""A local press of fictional Moroccan outlets, served over HTTP on loopback (127.0.0.11-18).

`akhbar demo` and the end-to-end tests crawl it; see akhbar.demo.outlets for the quirks.
"""

from akhbar.demo.press import DemoPress

__all__ = ["DemoPress"]

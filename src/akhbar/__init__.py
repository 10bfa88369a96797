"""akhbar: a news aggregator and search engine for a multilingual national press."""

__version__ = "0.1.0"

__all__ = ["__version__"]

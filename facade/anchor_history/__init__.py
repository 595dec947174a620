"""anchor-history: pull, check and chart AnchorBrowser usage history."""

__version__ = "0.1.0"

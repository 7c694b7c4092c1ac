"""Paperboy: a static site generator for research-paper digests."""

__version__ = "0.1.0"

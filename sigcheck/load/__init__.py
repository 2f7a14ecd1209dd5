"""Loaders: bytes on disk to located syntax. They never raise on bad input."""

"""Normalizers: located syntax of any input kind to the gallery model."""

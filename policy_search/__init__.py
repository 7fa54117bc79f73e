"""Clause-level search over Chinese policy documents: the data model and files shared by indexer and service."""

__version__ = "0.1.0"

"""One exception tree for the whole project.

    PolicySearchError
     ├── UnsupportedDocument      a file that cannot be read as a document (names the file)
     ├── InvalidQuery             a query or filter value that cannot be answered
     ├── ClauseNotFound           an id or citation that names nothing in the index
     ├── IndexNotReady            no complete index generation to read
     ├── IndexMismatch            an index built with other settings than the reader's
     └── EngineUnavailable        the search engine (a Milvus server) did not answer
"""

from __future__ import annotations


class PolicySearchError(Exception):
    """Base of every error this project raises on purpose."""


class UnsupportedDocument(PolicySearchError):
    """A file that cannot be turned into a document; the message names the file and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class InvalidQuery(PolicySearchError):
    """A query, citation or filter that is malformed or out of bounds."""


class ClauseNotFound(PolicySearchError):
    """A clause id, document id or citation that does not exist in the index."""


class IndexNotReady(PolicySearchError):
    """The index directory holds no complete generation."""


class IndexMismatch(PolicySearchError):
    """The index was built with settings (model, tokenizer, schema) other than the reader's."""


class EngineUnavailable(PolicySearchError):
    """The search engine an index lives in could not be reached or refused a request; names the engine."""

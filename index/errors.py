"""Errors of the ingest side, safe to show users; each message names the fix.

ArticleIndexError          root: anything the index refuses
├── LoadError              an article file that cannot be read or has no text
├── StoreUnavailable       ASSISTANT_HOME or the Chroma server cannot be used
├── IndexMismatch          the store was built with another model or splitter
└── UnknownDocument        `remove` of a document that is not indexed
"""

__all__ = ["ArticleIndexError", "IndexMismatch", "LoadError", "StoreUnavailable", "UnknownDocument"]


class ArticleIndexError(Exception):
    """Root of the index's errors; the message is one line, fit for users."""


class LoadError(ArticleIndexError):
    """An article file cannot be read or has no text."""


class StoreUnavailable(ArticleIndexError):
    """The store's location cannot be opened or written."""


class IndexMismatch(ArticleIndexError):
    """The store was built with another embedding model or splitter."""


class UnknownDocument(ArticleIndexError):
    """No indexed document has that id."""

"""The index as the answer side sees it: kept in step with the store, and a query encoder.

Apart from the retriever (assistant.retrieval) so that adding, listing and removing articles never
import LangChain.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from index.corpus import Corpus
from index.embedders import Embedder

if TYPE_CHECKING:
    import numpy as np

__all__ = ["SentenceIndex"]


class SentenceIndex:
    """The index as the answer side sees it: kept in step with the store, and a query encoder."""

    def __init__(self, corpus: Corpus, embedder: Embedder) -> None:
        self.corpus = corpus
        self.embedder = embedder

    @property
    def store(self) -> Any:
        """The Chroma store under the index."""
        return self.corpus.store

    def refresh(self) -> None:
        """Apply articles added or removed (by any process) since the last look."""
        self.corpus.sync()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit vectors for `texts`, one row each, in one call to the encoder."""
        return self.embedder.embed(texts)

    def mentions(self, term: str) -> bool:
        """Whether any indexed sentence has the stemmed term."""
        return self.corpus.lexical.mentions(term)

    def idf(self, term: str) -> float:
        """Inverse sentence frequency of a stemmed term; unseen terms weigh the most."""
        return self.corpus.lexical.idf(term)

    def document_mentions(self, document: str, term: str) -> bool:
        """Whether the article has the stemmed term anywhere."""
        return self.corpus.lexical.document_mentions(document, term)

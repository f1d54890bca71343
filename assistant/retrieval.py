"""Hybrid sentence retrieval: BM25 over stemmed terms and dense vectors from Chroma, fused.

`SentenceIndex` keeps an in-memory view of the store (sentences, their vectors, a BM25 index)
and reloads it when the store's manifest changes. `HybridRetriever` is the LangChain retriever:
both rankings are cut to `candidates` and merged by reciprocal rank fusion, so a name or number
that dense search ranks low is still found, and a paraphrase that shares no word still is too.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.text import terms
from index.embedders import Embedder
from index.store import SentenceStore, StoredSentence

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Hit", "HybridRetriever", "SentenceIndex", "hits_from_documents"]

RRF_K = 60  # the constant of Cormack et al.; flattens the gap between ranks 1 and 2


@dataclass(frozen=True)
class Hit:
    """A retrieved sentence with its scores and its neighbours in the article."""

    sentence: StoredSentence
    title: str
    score: float  # fused reciprocal-rank score
    similarity: float  # cosine similarity to the query
    lexical: float  # BM25 score (0 when no query term occurs)
    before: str = ""
    after: str = ""


class SentenceIndex:
    """The store's sentences in memory: vectors for similarity, BM25 for terms."""

    def __init__(self, store: SentenceStore, embedder: Embedder) -> None:
        self.store = store
        self.embedder = embedder
        self._lock = threading.Lock()
        self._revision: tuple[str, ...] | None = None
        self.sentences: list[StoredSentence] = []
        self.titles: dict[str, str] = {}
        self.document_frequency: dict[str, int] = {}
        self._position: dict[tuple[str, int], int] = {}
        self._vectors: np.ndarray | None = None
        self._bm25: Any = None

    def refresh(self) -> None:
        """Reload from the store if an article was added or removed since the last look."""
        documents = self.store.documents()
        revision = tuple(f"{d.id}@{d.digest}" for d in documents)
        with self._lock:
            if revision == self._revision:
                return
            self._load(documents, revision)

    def _load(self, documents: list[Any], revision: tuple[str, ...]) -> None:
        import bm25s
        import numpy as np

        pairs = self.store.sentences_with_vectors()
        sentences = [sentence for sentence, _ in pairs]
        vectors = [vector for _, vector in pairs]
        tokenized = [terms(s.text) or ["\u2205"] for s in sentences]
        bm25 = bm25s.BM25()
        if sentences:
            bm25.index(tokenized, show_progress=False)
        frequency: dict[str, int] = {}
        for tokens in tokenized:
            for token in set(tokens):
                frequency[token] = frequency.get(token, 0) + 1
        self.sentences = sentences
        self.titles = {d.id: d.title for d in documents}
        self.document_frequency = frequency
        self._position = {s.key: i for i, s in enumerate(sentences)}
        self._vectors = np.asarray(vectors, dtype=np.float32).reshape(len(sentences), -1)
        self._bm25 = bm25
        self._revision = revision

    def embed_query(self, text: str) -> list[float]:
        """The query's vector."""
        return self.embedder.embed([text])[0]

    def similarity(self, vector: list[float], keys: list[tuple[str, int]]) -> list[float]:
        """Cosine similarity of `vector` to each sentence in `keys`."""
        import numpy as np

        assert self._vectors is not None
        rows = self._vectors[[self._position[k] for k in keys]]
        return [float(x) for x in rows @ np.asarray(vector, dtype=np.float32)]

    def lexical(self, query_terms: list[str], k: int) -> list[tuple[StoredSentence, float]]:
        """The `k` best sentences by BM25, best first, only those sharing a term."""
        if not query_terms or not self.sentences:
            return []
        scores = self._bm25.get_scores(query_terms)
        order = scores.argsort()[::-1][:k]
        return [(self.sentences[i], float(scores[i])) for i in order if scores[i] > 0]

    def neighbours(self, sentence: StoredSentence) -> tuple[str, str]:
        """The sentences just before and after, in the same article."""
        i = self._position[sentence.key]
        before = self.sentences[i - 1] if i > 0 else None
        after = self.sentences[i + 1] if i + 1 < len(self.sentences) else None
        return (
            before.text if before and before.document == sentence.document else "",
            after.text if after and after.document == sentence.document else "",
        )

    def mentions(self, term: str) -> bool:
        """Whether any indexed sentence has the stemmed term."""
        return term in self.document_frequency

    def idf(self, term: str) -> float:
        """Inverse sentence frequency of a stemmed term; unseen terms weigh the most."""
        import math

        n = len(self.sentences) or 1
        return math.log(1 + n / (1 + self.document_frequency.get(term, 0)))


class HybridRetriever(BaseRetriever):
    """LangChain retriever over article sentences: BM25 + dense, reciprocal rank fusion."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: SentenceIndex
    k: int = 4
    candidates: int = 30

    def search(
        self, query: str, k: int | None = None, vector: list[float] | None = None
    ) -> list[Hit]:
        """The `k` best sentences for `query`, fused, best first."""
        k = self.k if k is None else k
        self.index.refresh()
        if vector is None:
            vector = self.index.embed_query(query)
        dense = self.index.store.query(vector, self.candidates)
        lexical = self.index.lexical(terms(query), self.candidates)
        fused: dict[tuple[str, int], float] = {}
        sentence_of: dict[tuple[str, int], StoredSentence] = {}
        bm25_of: dict[tuple[str, int], float] = {}
        for ranking in ([m.sentence for m in dense], [s for s, _ in lexical]):
            for rank, sentence in enumerate(ranking):
                fused[sentence.key] = fused.get(sentence.key, 0.0) + 1.0 / (RRF_K + rank + 1)
                sentence_of[sentence.key] = sentence
        bm25_of.update((s.key, score) for s, score in lexical)
        # Ties in fused rank go to the stronger term match: names and numbers decide.
        best = sorted(fused, key=lambda key: (-fused[key], -bm25_of.get(key, 0.0)))[:k]
        similarities = self.index.similarity(vector, best) if best else []
        hits = []
        for key, similarity in zip(best, similarities):
            sentence = sentence_of[key]
            before, after = self.index.neighbours(sentence)
            hits.append(
                Hit(
                    sentence=sentence,
                    title=self.index.titles.get(sentence.document, ""),
                    score=fused[key],
                    similarity=similarity,
                    lexical=bm25_of.get(key, 0.0),
                    before=before,
                    after=after,
                )
            )
        return hits

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return [_document(hit) for hit in self.search(query, kwargs.get("k"))]


def _document(hit: Hit) -> Document:
    s = hit.sentence
    return Document(
        page_content=s.text,
        id=f"{s.document}:{s.number}",
        metadata={
            "document": s.document,
            "sentence": s.number,
            "paragraph": s.paragraph,
            "start": s.start,
            "end": s.end,
            "title": hit.title,
            "score": hit.score,
            "similarity": hit.similarity,
            "lexical": hit.lexical,
            "before": hit.before,
            "after": hit.after,
        },
    )


def hits_from_documents(documents: list[Document]) -> list[Hit]:
    """Hits back from the retriever's Documents (the chain's vendor type stops here)."""
    hits = []
    for doc in documents:
        m = doc.metadata
        sentence = StoredSentence(
            document=m["document"],
            number=m["sentence"],
            paragraph=m["paragraph"],
            start=m["start"],
            end=m["end"],
            text=doc.page_content,
        )
        hits.append(
            Hit(
                sentence=sentence,
                title=m["title"],
                score=m["score"],
                similarity=m["similarity"],
                lexical=m["lexical"],
                before=m["before"],
                after=m["after"],
            )
        )
    return hits

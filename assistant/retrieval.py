"""Hybrid sentence retrieval: BM25 over stemmed terms and dense vectors from Chroma, fused.

`SentenceIndex` keeps an in-memory view of the store (sentences, their vectors, a BM25 index)
and reloads it when the store's manifest changes. `HybridRetriever` is the LangChain retriever:
candidates are Chroma's nearest sentences and BM25's best; each ranking is redone with a share of
every sentence's neighbours' scores (context) and the two are merged by reciprocal rank fusion, so
a name or number that dense search ranks low is still found, and so is a paraphrase that shares
no word with the article.

Limits: the in-memory view holds every sentence's vector (384 floats each): fine to a few
hundred thousand sentences per process.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.answer import Citation
from assistant.text import terms
from index.embedders import Embedder
from index.store import SentenceStore, StoredSentence

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Hit", "HybridRetriever", "SentenceIndex", "hits_from_documents"]

# Reciprocal rank fusion constant. Cormack et al. use 60; 10 trusts each list's top ranks more,
# which measured better on the Lee news corpus (benchmarks/lee.py) and no worse on our own set.
RRF_K = 10
_RECENT_LIMIT = 4096
# Weight of the neighbouring sentences' mean score in a sentence's own: context for sentences
# that continue a thought ("It was ...") without repeating its subject.
CONTEXT_WEIGHT = 0.3


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

    def cite(self, n: int, role: Literal["cited", "related"] = "cited") -> Citation:
        """This sentence as citation `[n]`, quoting the stored text."""
        s = self.sentence
        return Citation(
            n=n,
            document=s.document,
            sentence=s.number,
            text=s.text,
            start=s.start,
            end=s.end,
            score=self.similarity,
            paragraph=s.paragraph,
            title=self.title,
            role=role,
        )


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
        self._previous: np.ndarray = _empty_index()
        self._next: np.ndarray = _empty_index()
        self._bm25: Any = None
        self._recent: dict[str, list[float]] = {}  # vectors embedded beside recent queries

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
        # Index of each sentence's neighbour in the same article, or -1 (a padded zero score).
        same = [i > 0 and sentences[i - 1].document == s.document for i, s in enumerate(sentences)]
        self._previous = np.array([i - 1 if same[i] else -1 for i in range(len(sentences))], int)
        self._next = np.array(
            [
                i + 1 if i + 1 < len(sentences) and same[i + 1] else -1
                for i in range(len(sentences))
            ],
            int,
        )
        self._vectors = np.asarray(vectors, dtype=np.float32).reshape(len(sentences), -1)
        self._bm25 = bm25
        self._revision = revision

    def embed_query(self, text: str, also: Sequence[str] = ()) -> list[float]:
        """The query's vector; `also` are texts the answer will need, embedded in the same call.

        One call to the model costs more than each short text in it, so the answerer's texts
        ride along with the query and wait in `embed_texts`.
        """
        vectors = self.embedder.embed([text, *also])
        with self._lock:
            if len(self._recent) > _RECENT_LIMIT:
                self._recent.clear()
            self._recent.update(zip(also, vectors[1:]))
        return vectors[0]

    def embed_texts(self, texts: list[str]) -> list[list[float]]:
        """Vectors for `texts`, taking those embedded beside a recent query."""
        with self._lock:
            known = {t: self._recent[t] for t in texts if t in self._recent}
        missing = [t for t in texts if t not in known]
        known.update(zip(missing, self.embedder.embed(missing) if missing else []))
        return [known[t] for t in texts]

    def scores(self, vector: list[float], query_terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Cosine similarity and BM25 score of every sentence, in `sentences` order."""
        import numpy as np

        assert self._vectors is not None
        dense = self._vectors @ np.asarray(vector, dtype=np.float32)
        if query_terms and self.sentences:
            lexical = np.asarray(self._bm25.get_scores(query_terms), dtype=np.float32)
        else:
            lexical = np.zeros(len(self.sentences), dtype=np.float32)
        return dense, lexical

    def lexical(self, query_terms: list[str], k: int) -> list[tuple[StoredSentence, float]]:
        """The `k` best sentences by BM25, best first, only those sharing a term."""
        if not query_terms or not self.sentences:
            return []
        scores = self._bm25.get_scores(query_terms)
        return [(self.sentences[i], float(scores[i])) for i in _top(scores, k)]

    def with_context(self, scores: np.ndarray, weight: float = CONTEXT_WEIGHT) -> np.ndarray:
        """Each sentence's score plus `weight` times its same-article neighbours' mean."""
        import numpy as np

        padded = np.append(scores, 0.0)
        return scores + weight * (padded[self._previous] + padded[self._next]) / 2

    def position(self, key: tuple[str, int]) -> int:
        """Where a sentence stands in `sentences`."""
        return self._position[key]

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
    # Texts the answerer will embed for a query, to embed in the query's own call.
    companions: Callable[[str], list[str]] | None = None

    def search(
        self, query: str, k: int | None = None, vector: list[float] | None = None
    ) -> list[Hit]:
        """The `k` best sentences for `query`, fused, best first."""
        k = self.k if k is None else k
        self.index.refresh()
        if vector is None:
            also = self.companions(query) if self.companions else []
            vector = self.index.embed_query(query, also)
        query_terms = terms(query)
        similarity, bm25 = self.index.scores(vector, query_terms)
        # Candidates: Chroma's nearest sentences and BM25's best, ranked again with context.
        depth = max(self.candidates, k)
        candidates = {
            self.index.position(m.sentence.key) for m in self.index.store.query(vector, depth)
        }
        candidates |= set(_top(bm25, depth))
        pool = sorted(candidates)
        fused = dict.fromkeys(pool, 0.0)
        # A sentence sharing no query term stays out of the lexical ranking, context or not.
        rankings = (
            (pool, self.index.with_context(similarity)),
            ([i for i in pool if bm25[i] > 0], self.index.with_context(bm25)),
        )
        for members, ranked in rankings:
            for rank, i in enumerate(sorted(members, key=lambda i: -ranked[i])):
                fused[i] += 1.0 / (RRF_K + rank + 1)
        # Ties in fused rank go to the stronger term match: names and numbers decide.
        best = sorted(pool, key=lambda i: (-fused[i], -bm25[i]))[:k]
        hits = []
        for i in best:
            sentence = self.index.sentences[i]
            before, after = self.index.neighbours(sentence)
            hits.append(
                Hit(
                    sentence=sentence,
                    title=self.index.titles.get(sentence.document, ""),
                    score=fused[i],
                    similarity=float(similarity[i]),
                    lexical=float(bm25[i]),
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


def _top(scores: np.ndarray, k: int) -> list[int]:
    """Positions of the `k` highest positive scores, best first."""
    order = scores.argsort()[::-1][:k]
    return [int(i) for i in order if scores[i] > 0]


def _empty_index() -> np.ndarray:
    import numpy as np

    return np.zeros(0, dtype=int)

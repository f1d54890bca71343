"""Hybrid sentence retrieval: BM25 over stemmed terms and dense vectors from Chroma, fused.

`HybridRetriever` is the LangChain retriever over a `SentenceIndex`. Its candidates are
Chroma's nearest sentences (HNSW, embedded or on the server) and the lexical index's best by BM25;
each candidate's two scores are redone with a share of its neighbours' (context), and the two
rankings are merged by reciprocal rank fusion, so a name or number that dense search ranks low is
still found, and so is a paraphrase that shares no word with the article. All of it works on the
candidates and their neighbours only: the cost of a question does not grow with the corpus.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.answer import Hit
from assistant.reranker import Reranker
from assistant.sentence_index import SentenceIndex
from index.corpus import StoredSentence
from index.loaders import page_of
from index.text import terms

if TYPE_CHECKING:
    import numpy as np

__all__ = ["Hit", "HybridRetriever", "hits_from_documents"]

# Reciprocal rank fusion constant. Cormack et al. use 60; 10 trusts each list's top ranks more,
# which measured better on the Lee news corpus (benchmarks/lee.py) and no worse on our own set.
RRF_K = 10
# Weight of the neighbouring sentences' mean score in a sentence's own: context for sentences
# that continue a thought ("It was ...") without repeating its subject.
CONTEXT_WEIGHT = 0.3
# A headline restates its article's lead: the body sentence that says the same is cited instead,
# unless the headline is clearly the better answer (log-odds).
HEADLINE_PENALTY = 2.0


class HybridRetriever(BaseRetriever):
    """LangChain retriever over article sentences: BM25 + dense, reciprocal rank fusion, then
    (with a reranker) the cross-encoder's order over the best `rerank_depth` of them."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    index: SentenceIndex
    k: int = 4
    candidates: int = 30
    reranker: Reranker | None = None
    rerank_depth: int = 6

    def search(
        self,
        query: str,
        k: int | None = None,
        vector: np.ndarray | None = None,
        documents: Sequence[str] | None = None,
        refresh: bool = True,
    ) -> list[Hit]:
        """The `k` best sentences for `query` (from these articles, if given), best first:
        reranked when there is a reranker. `refresh=False` when the caller has just brought the
        index up to date."""
        k = self.k if k is None else k
        if self.reranker is None:
            return self.fused(query, k, vector, documents, refresh)
        hits = self.fused(query, max(k, self.rerank_depth), vector, documents, refresh)
        judged = self.reranker.judge(query, [(h.sentence.text, h.title, h.before) for h in hits])
        reranked = [replace(h, judgement=j) for h, j in zip(hits, judged)]
        reranked.sort(key=lambda h: -(h.judgement.relevance - HEADLINE_PENALTY * h.headline))  # type: ignore[union-attr]
        return reranked[:k]

    def fused(
        self,
        query: str,
        k: int,
        vector: np.ndarray | None = None,
        documents: Sequence[str] | None = None,
        refresh: bool = True,
    ) -> list[Hit]:
        """The `k` best sentences for `query` by reciprocal rank fusion (from these articles, if
        given), best first."""
        import numpy as np

        corpus = self.index.corpus
        if refresh:
            self.index.refresh()
        if vector is None:
            vector = self.index.embed([query])[0]
        query_terms = terms(query)
        depth = max(self.candidates, k)
        # Candidates: Chroma's nearest sentences and the best by BM25.
        nearest = corpus.nearest(vector, depth, documents)
        dense = dict((s.key, (s, similarity)) for s, similarity in nearest)
        lexical = dict(
            (s.key, (s, score)) for s, score in corpus.lexical.search(query_terms, depth, documents)
        )
        pool = {key: pair[0] for key, pair in (lexical | dense).items()}
        if not pool:
            return []
        # Their neighbours' scores too, for context: fetched for these few sentences only.
        around = {(d, n + step) for d, n in pool for step in (-1, 1)}
        similarity = {key: sim for key, (_, sim) in dense.items()}
        unknown = [key for key in (set(pool) | around) if key not in similarity]
        for key, row in corpus.vectors(unknown).items():
            similarity[key] = float(np.dot(row, vector))
        bm25 = {key: score for key, (_, score) in lexical.items()}
        unscored = [key for key in (set(pool) | around) if key not in bm25]
        bm25.update(corpus.lexical.scores(query_terms, unscored))

        def with_context(scores: dict[tuple[str, int], float], key: tuple[str, int]) -> float:
            d, n = key
            return (
                scores.get(key, 0.0)
                + CONTEXT_WEIGHT * (scores.get((d, n - 1), 0.0) + scores.get((d, n + 1), 0.0)) / 2
            )

        keys = sorted(pool)
        fused = dict.fromkeys(keys, 0.0)
        # A sentence sharing no query term stays out of the lexical ranking, context or not.
        rankings = (
            (keys, lambda key: with_context(similarity, key)),
            ([key for key in keys if bm25.get(key, 0.0) > 0], lambda key: with_context(bm25, key)),
        )
        for members, score in rankings:
            for rank, key in enumerate(sorted(members, key=lambda key: -score(key))):
                fused[key] += 1.0 / (RRF_K + rank + 1)
        # Ties in fused rank go to the stronger term match: names and numbers decide.
        best = sorted(keys, key=lambda key: (-fused[key], -bm25.get(key, 0.0)))[:k]
        chosen = [pool[key] for key in best]
        neighbours = corpus.neighbours(chosen)
        titles = corpus.titles([s.document for s in chosen])
        pages = corpus.lexical.pages([s.document for s in chosen])
        return [
            Hit(
                sentence=s,
                title=titles.get(s.document, ""),
                score=fused[s.key],
                similarity=similarity.get(s.key, 0.0),
                lexical=bm25.get(s.key, 0.0),
                before=neighbours[s.key][0],
                after=neighbours[s.key][1],
                page=page_of(pages.get(s.document, ()), s.start),
            )
            for s in chosen
        ]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        return [
            _document(hit)
            for hit in self.search(
                query,
                kwargs.get("k"),
                kwargs.get("vector"),
                documents=kwargs.get("documents"),
                refresh=kwargs.get("refresh", True),
            )
        ]


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
            "judgement": hit.judgement,
            "page": hit.page,
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
                judgement=m.get("judgement"),
                page=m.get("page"),
            )
        )
    return hits

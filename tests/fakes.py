"""Fakes at the project's own seams: an embedder (index.embedders.Embedder), a store
(index.store.Store) and chat models (what `init_chat_model` returns). Tests about storage or
about the LLM answerer use them where the real model would only cost time; tests about answers
use the real thing."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from langchain_core.embeddings import DeterministicFakeEmbedding
from langchain_core.language_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from pydantic import Field

from index.errors import UnknownDocument
from index.loaders import Article
from index.sentences import Sentence
from index.store import Change, DocumentInfo, Finished, Match

__all__ = ["FakeEmbedder", "MemoryStore", "Structured", "replying"]


class FakeEmbedder:
    name = "fake-embedding"

    def __init__(self, fail_on_call: int = 0) -> None:
        self._fake = DeterministicFakeEmbedding(size=16)
        self.calls = 0
        self.fail_on_call = fail_on_call

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        if self.calls == self.fail_on_call:
            raise KeyboardInterrupt  # the user gives up half way
        vectors = np.asarray(self._fake.embed_documents(texts), dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def replying(*replies: str) -> GenericFakeChatModel:
    """A chat model that answers each call with the next of `replies`."""
    return GenericFakeChatModel(messages=iter(AIMessage(r) for r in replies))


class Structured(GenericFakeChatModel):
    """A fake model that fills the answer schema, streaming partial objects as tool calling does."""

    partials: list[dict[str, Any]] = Field(default_factory=list)
    refuse_with: int | None = None

    def with_structured_output(self, schema: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        from langchain_core.runnables import RunnableGenerator

        assert schema["title"] == "cited_answer" and kwargs == {"method": "function_calling"}
        partials, status = self.partials, self.refuse_with

        def fill(_: Iterator[Any]) -> Iterator[dict[str, Any]]:
            if status:
                error = RuntimeError("tools are not supported")
                error.status_code = status  # type: ignore[attr-defined]
                raise error
            yield from partials

        return RunnableGenerator(fill)


class MemoryStore:
    """The Store seam in memory: versions, the manifest written last, tombstones, brute-force
    nearest neighbours. What Corpus and ingest rely on, without Chroma."""

    identity = "memory"
    location = "memory"

    def __init__(self) -> None:
        self._vectors: dict[tuple[str, int], np.ndarray] = {}  # (version, number) → vector
        self._manifest: dict[str, tuple[DocumentInfo, str, int, bool]] = {}  # text, seq, removed
        self._seq = 0
        self.seeded = False

    def reload(self) -> None:
        pass

    def changes_since(self, seq: int) -> list[Change]:
        found = [
            Change(info, change_seq, removed)
            for info, _, change_seq, removed in self._manifest.values()
            if change_seq > seq
        ]
        return sorted(found, key=lambda change: change.seq)

    def changed_elsewhere(self, change: Change) -> bool:
        return False

    def documents(self) -> list[DocumentInfo]:
        live = [info for info, _, _, removed in self._manifest.values() if not removed]
        return sorted(live, key=lambda info: info.id)

    def document_text(self, doc_id: str) -> str:
        record = self._manifest.get(doc_id)
        if record is None or record[3]:
            raise UnknownDocument(f"no document '{doc_id}' in the index; see `assistant list`.")
        return record[1]

    def nearest(
        self, vector: np.ndarray, k: int, documents: Sequence[str] | None = None
    ) -> list[Match]:
        scored = [
            Match(version, number, float(np.dot(row, vector)))
            for (version, number), row in self._vectors.items()
            if documents is None or version.rsplit("@", 1)[0] in documents
        ]
        return sorted(scored, key=lambda m: -m.similarity)[: max(k, 0)]

    def vectors(self, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], np.ndarray]:
        return {key: self._vectors[key] for key in keys if key in self._vectors}

    def contains(self, article: Article) -> bool:
        record = self._manifest.get(article.id)
        return record is not None and not record[3] and record[0].digest == article.digest

    def write(self, rows: Sequence[tuple[Article, Sentence]], vectors: np.ndarray) -> None:
        for (article, sentence), row in zip(rows, vectors, strict=True):
            self._vectors[(article.version, sentence.number)] = row

    def commit(self, finished: Sequence[Finished]) -> list[int]:
        seqs = []
        for f in finished:
            self._seq += 1
            a = f.article
            info = DocumentInfo(a.id, a.title, a.source, a.digest, f.sentences)
            self._manifest[a.id] = (info, a.text, self._seq, False)
            self._drop(a.id, keep=info.version)
            seqs.append(self._seq)
        return seqs

    def remove(self, doc_id: str) -> int:
        self.document_text(doc_id)  # the same error for an unknown one
        self._seq += 1
        info = self._manifest[doc_id][0]
        self._manifest[doc_id] = (info, "", self._seq, True)
        self._drop(doc_id, keep="")
        return self._seq

    def mark_seeded(self) -> None:
        self.seeded = True

    def record_encoder(self, path: str, sha256: str) -> None:
        pass

    def _drop(self, doc_id: str, keep: str) -> None:
        for key in [k for k in self._vectors if k[0].rsplit("@", 1)[0] == doc_id]:
            if key[0] != keep:
                del self._vectors[key]

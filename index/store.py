"""The Chroma store of sentences and their articles: the only module that imports chromadb.

Two collections. `article_sentences` holds one record per sentence (vector, text, document id,
number, paragraph, offsets); `article_documents` is the manifest: one record per article with its
full text, title and content digest. Both record the embedding model and splitter that built them.

Writes never leave a half-written article visible. Sentence ids carry the article's digest
(`deepseek@3f2a…:4`), and only sentences whose digest the manifest names are ever read. Adding an
article upserts its sentences first and its manifest record last; removing one drops the manifest
record first. Whatever an interrupted write leaves behind is invisible and swept by the next write.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlparse

from index.errors import IndexMismatch, StoreUnavailable, UnknownDocument
from index.loaders import Article
from index.sentences import Sentence

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

__all__ = ["DocumentInfo", "Match", "SentenceStore", "StoredSentence"]

SENTENCES = "article_sentences"
DOCUMENTS = "article_documents"
_REBUILD = "_rebuild"
_SCHEMA = 1


@dataclass(frozen=True)
class StoredSentence:
    """A sentence as indexed: `text == document_text[start:end]`."""

    document: str
    number: int
    paragraph: int
    start: int
    end: int
    text: str

    @property
    def key(self) -> tuple[str, int]:
        """Identifies the sentence across the index."""
        return (self.document, self.number)


@dataclass(frozen=True)
class DocumentInfo:
    """An indexed article, as the manifest records it."""

    id: str
    title: str
    source: str
    digest: str
    sentences: int


@dataclass(frozen=True)
class Match:
    """A sentence found by vector search, with its cosine similarity to the query."""

    sentence: StoredSentence
    similarity: float


class SentenceStore:
    """Sentences and articles in Chroma, embedded at `home` or on a Chroma server."""

    def __init__(
        self,
        client: ClientAPI,
        *,
        embedding_model: str,
        splitter: str,
        location: str,
        suffix: str = "",
    ) -> None:
        self._client = client
        self._location = location
        self._built_with = {
            "embedding_model": embedding_model,
            "splitter": splitter,
            "schema": _SCHEMA,
        }
        _finish_interrupted_rebuild(client)
        self._sentences = self._collection(SENTENCES + suffix)
        self._documents = self._collection(DOCUMENTS + suffix)

    @classmethod
    def open(
        cls, *, home: Path | None, url: str | None, embedding_model: str, splitter: str
    ) -> SentenceStore:
        """Open (creating if needed) the store under `home`, or on the server at `url`."""
        if url:
            client, location = _http_client(url), url
        elif home is not None:
            client, location = _persistent_client(home), str(home)
        else:
            raise StoreUnavailable("no index location; set ASSISTANT_HOME or ASSISTANT_CHROMA_URL.")
        return cls(client, embedding_model=embedding_model, splitter=splitter, location=location)

    @classmethod
    def rebuild(
        cls,
        *,
        home: Path | None,
        url: str | None,
        embedding_model: str,
        splitter: str,
        reindex: Callable[[SentenceStore, list[Article]], None],
    ) -> list[Article]:
        """Re-index every stored article into fresh collections, then swap them in.

        `reindex(store, articles)` fills the fresh store. The old collections are dropped only
        after the new ones are complete; an interrupted swap is finished on the next open.
        """
        client = _http_client(url) if url else _persistent_client(home or Path("."))
        articles = _stored_articles(client)
        for name in (SENTENCES + _REBUILD, DOCUMENTS + _REBUILD):
            _drop(client, name)
        fresh = cls(
            client,
            embedding_model=embedding_model,
            splitter=splitter,
            location=url or str(home),
            suffix=_REBUILD,
        )
        reindex(fresh, articles)
        _drop(client, DOCUMENTS)  # from here on, the next open finishes the swap
        _finish_interrupted_rebuild(client)
        return articles

    @property
    def location(self) -> str:
        """Where the store lives: a directory or a server URL."""
        return self._location

    # --- reading -----------------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        """The indexed articles, by id."""
        records = self._documents.get(include=["metadatas"])
        infos = [
            _document_info(id_, meta)
            for id_, meta in zip(records["ids"], records["metadatas"] or [])
        ]
        return sorted(infos, key=lambda info: info.id)

    def document_text(self, doc_id: str) -> str:
        """The article's text of record; sentence offsets point into it."""
        records = self._documents.get(ids=[doc_id], include=["documents"])
        if not records["ids"]:
            raise UnknownDocument(f"no document '{doc_id}' in the index; see `assistant list`.")
        return (records["documents"] or [""])[0]

    def sentences(self) -> list[StoredSentence]:
        """Every live sentence, ordered by document and number."""
        return [sentence for sentence, _ in self._live_sentences(with_vectors=False)]

    def sentences_with_vectors(self) -> list[tuple[StoredSentence, list[float]]]:
        """Every live sentence with its vector, ordered by document and number."""
        return self._live_sentences(with_vectors=True)

    def _live_sentences(self, *, with_vectors: bool) -> list[tuple[StoredSentence, list[float]]]:
        versions = self._live_versions()
        if not versions:
            return []
        include: Any = ["documents", "metadatas"] + (["embeddings"] if with_vectors else [])
        records = self._sentences.get(where=_version_filter(versions), include=include)
        texts, metas = records["documents"] or [], records["metadatas"] or []
        vectors: Any = records["embeddings"] if with_vectors else [[]] * len(texts)
        found = [
            (_stored_sentence(text, meta), [float(x) for x in vector])
            for text, meta, vector in zip(texts, metas, vectors)
        ]
        return sorted(found, key=lambda pair: pair[0].key)

    def query(self, vector: Sequence[float], k: int) -> list[Match]:
        """The `k` sentences nearest to `vector`, best first."""
        versions = self._live_versions()
        if not versions or k <= 0:
            return []
        result = self._sentences.query(
            query_embeddings=cast(Any, [list(vector)]),
            n_results=k,
            where=_version_filter(versions),
            include=["documents", "metadatas", "distances"],
        )
        texts = (result["documents"] or [[]])[0]
        metas = (result["metadatas"] or [[]])[0]
        distances = (result["distances"] or [[]])[0]
        return [
            Match(_stored_sentence(text, meta), 1.0 - float(distance))
            for text, meta, distance in zip(texts, metas, distances)
        ]

    @property
    def seeded(self) -> bool:
        """Whether the bundled article was ever indexed here (removing it is then respected)."""
        return bool((self._documents.metadata or {}).get("seeded"))

    def mark_seeded(self) -> None:
        """Record that the bundled article has been indexed once."""
        self._documents.modify(metadata={**(self._documents.metadata or {}), "seeded": True})

    def contains(self, article: Article) -> bool:
        """Whether this exact article (same id and text) is already indexed."""
        records = self._documents.get(ids=[article.id], include=["metadatas"])
        metas = records["metadatas"] or []
        return bool(metas) and metas[0].get("digest") == article.digest

    # --- writing -----------------------------------------------------------------------------

    def add(
        self, article: Article, sentences: Sequence[Sentence], vectors: Sequence[Sequence[float]]
    ) -> None:
        """Index an article's sentences, replacing any earlier version of the article."""
        if len(sentences) != len(vectors):
            raise ValueError("one vector per sentence")
        version = f"{article.id}@{article.digest}"
        for batch in _batches(range(len(sentences)), self._client.get_max_batch_size()):
            self._sentences.upsert(
                ids=[f"{version}:{sentences[i].number}" for i in batch],
                embeddings=cast(Any, [list(vectors[i]) for i in batch]),
                documents=[sentences[i].text for i in batch],
                metadatas=[_sentence_metadata(article.id, version, sentences[i]) for i in batch],
            )
        # The manifest record goes last: until it lands, the new sentences are invisible.
        self._documents.upsert(
            ids=[article.id],
            embeddings=cast(Any, [_mean_unit(vectors, self._dimension(vectors))]),
            documents=[article.text],
            metadatas=[
                {
                    "title": article.title,
                    "source": article.source,
                    "digest": article.digest,
                    "sentences": len(sentences),
                }
            ],
        )
        self._sweep()

    def remove(self, doc_id: str) -> None:
        """Drop an article and its sentences."""
        if not self._documents.get(ids=[doc_id])["ids"]:
            raise UnknownDocument(f"no document '{doc_id}' in the index; see `assistant list`.")
        self._documents.delete(ids=[doc_id])
        self._sweep()

    def _sweep(self) -> None:
        """Delete sentences no manifest record names (older versions, interrupted writes)."""
        live = self._live_versions()
        where = {"version": {"$nin": live}} if live else None
        stale = self._sentences.get(where=where, include=[])["ids"]  # type: ignore[arg-type]
        for batch in _batches(stale, self._client.get_max_batch_size()):
            self._sentences.delete(ids=list(batch))

    # --- helpers -----------------------------------------------------------------------------

    def _collection(self, name: str) -> Collection:
        try:
            collection = self._client.get_or_create_collection(
                name,
                embedding_function=None,
                metadata=dict(self._built_with),
                configuration={"hnsw": {"space": "cosine"}},
            )
        except Exception as exc:  # chromadb raises many types for an unusable store
            raise StoreUnavailable(
                f"cannot open the index at {self._location} ({type(exc).__name__}); "
                "move it aside or point ASSISTANT_HOME elsewhere."
            ) from exc
        built_with = collection.metadata or {}
        for key in ("embedding_model", "splitter"):
            if built_with.get(key) != self._built_with[key]:
                raise IndexMismatch(
                    f"the index at {self._location} was built with {key.replace('_', ' ')} "
                    f"'{built_with.get(key)}', not '{self._built_with[key]}'; "
                    "run `assistant rebuild` to re-index its articles."
                )
        return collection

    def _live_versions(self) -> list[str]:
        return [f"{info.id}@{info.digest}" for info in self.documents()]

    def _dimension(self, vectors: Sequence[Sequence[float]]) -> int:
        return len(vectors[0]) if vectors else 1


def _stored_articles(client: ClientAPI) -> list[Article]:
    """The articles of a store, read without checking what built it."""
    try:
        records = client.get_collection(DOCUMENTS).get(include=["documents", "metadatas"])
    except Exception:  # no manifest yet: nothing to re-index
        return []
    return [
        Article(
            id=id_, title=str(meta.get("title", id_)), text=text, source=str(meta.get("source", ""))
        )
        for id_, text, meta in zip(
            records["ids"], records["documents"] or [], records["metadatas"] or []
        )
    ]


def _drop(client: ClientAPI, name: str) -> None:
    if name in _collection_names(client):
        client.delete_collection(name)


def _collection_names(client: ClientAPI) -> set[str]:
    # chromadb returns Collection objects (1.x) or names (0.6): accept both.
    return {c if isinstance(c, str) else c.name for c in client.list_collections()}


def _finish_interrupted_rebuild(client: ClientAPI) -> None:
    """Rename complete rebuilt collections into place once the old ones are gone."""
    names = _collection_names(client)
    if (DOCUMENTS + _REBUILD) not in names or DOCUMENTS in names:
        return
    for name in (SENTENCES, DOCUMENTS):
        if name + _REBUILD in names:
            _drop(client, name)
            client.get_collection(name + _REBUILD).modify(name=name)


def _persistent_client(home: Path) -> ClientAPI:
    if home.exists() and not home.is_dir():
        raise StoreUnavailable(
            f"ASSISTANT_HOME={home} is a file, not a directory; "
            "point ASSISTANT_HOME at a directory."
        )
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreUnavailable(
            f"cannot create ASSISTANT_HOME={home} ({exc.strerror}); "
            "point ASSISTANT_HOME at a writable directory."
        ) from exc
    if not os.access(home, os.R_OK | os.W_OK | os.X_OK):
        raise StoreUnavailable(
            f"ASSISTANT_HOME={home} is not readable and writable; "
            "fix its permissions or point ASSISTANT_HOME elsewhere."
        )
    import chromadb
    from chromadb.config import Settings

    try:
        return chromadb.PersistentClient(
            path=str(home / "chroma"), settings=Settings(anonymized_telemetry=False)
        )
    except Exception as exc:  # a damaged or foreign store: report it, never overwrite it
        raise StoreUnavailable(
            f"cannot open the index at {home} ({type(exc).__name__}); "
            "move it aside or point ASSISTANT_HOME elsewhere."
        ) from exc


def _http_client(url: str) -> ClientAPI:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise StoreUnavailable(f"ASSISTANT_CHROMA_URL={url} is not a URL like http://host:8000.")
    import chromadb
    from chromadb.config import Settings

    try:
        return chromadb.HttpClient(
            host=parsed.hostname,
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=Settings(anonymized_telemetry=False),
        )
    except Exception as exc:
        raise StoreUnavailable(
            f"cannot reach the Chroma server at {url} ({type(exc).__name__}); "
            "start it with `chroma run` or unset ASSISTANT_CHROMA_URL."
        ) from exc


def _version_filter(versions: list[str]) -> Any:
    return {"version": {"$in": versions}}


def _sentence_metadata(doc_id: str, version: str, sentence: Sentence) -> dict[str, str | int]:
    return {
        "document": doc_id,
        "version": version,
        "number": sentence.number,
        "paragraph": sentence.paragraph,
        "start": sentence.start,
        "end": sentence.end,
    }


def _stored_sentence(text: str, meta: Any) -> StoredSentence:
    return StoredSentence(
        document=str(meta["document"]),
        number=int(meta["number"]),
        paragraph=int(meta["paragraph"]),
        start=int(meta["start"]),
        end=int(meta["end"]),
        text=text,
    )


def _document_info(doc_id: str, meta: Any) -> DocumentInfo:
    return DocumentInfo(
        id=doc_id,
        title=str(meta.get("title", doc_id)),
        source=str(meta.get("source", "")),
        digest=str(meta["digest"]),
        sentences=int(meta.get("sentences", 0)),
    )


def _mean_unit(vectors: Sequence[Sequence[float]], dimension: int) -> list[float]:
    if not vectors:
        return [1.0] + [0.0] * (dimension - 1)
    mean = [sum(column) / len(vectors) for column in zip(*vectors)]
    norm = math.sqrt(sum(x * x for x in mean)) or 1.0
    return [x / norm for x in mean]


def _batches(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), max(1, size)):
        yield items[i : i + size]

"""The Chroma store of sentence vectors and of the articles of record: with index.chroma_engine,
the only chromadb importer.

Two collections. `article_sentences` holds one record per sentence: its vector and `document` /
`version` / `number` (version = `id@digest` of the article's text). Not its text, which the
lexical mirror and the article's text of record hold: embedded Chroma indexes the trigrams of
every document it stores, whatever the schema says, which costs time, memory and disk. Its HNSW
index answers nearest-neighbour queries, embedded or on a server: no process ever loads every
vector. `article_documents` is the manifest: one record per article with its text (the text of
record that sentence offsets point into), title, digest, sentence count and `seq`, the time of its
last change in microseconds. A text longer than TEXT_PART characters keeps its first part there
and the rest in part records beside it (`version#1`, `version#2`, ... with `document` / `version` /
`part`), each written in a request of its own. Removing an article leaves a tombstone (`removed`),
so a reader learns of every change by asking for records with a newer `seq` (`changes_since`):
what it keeps locally (index.lexical) stays in step at a cost that grows with the changes, not the
corpus.

Writes never leave a half-written article visible. Sentence ids carry the article's digest
(`deepseek@3f2a…:4`) and a sentence counts only when the manifest names its version, so an
article's sentences and text parts go in first and its manifest record last; the older versions
of that one article are deleted after. Whatever an interrupted write leaves is invisible, and is
deleted by the article's next write or removal (or `assistant rebuild`). The lexical index lives
in index.lexical.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import urlparse

from index.errors import IndexMismatch, StoreUnavailable, UnknownDocument
from index.loaders import Article
from index.sentences import Sentence

if TYPE_CHECKING:
    import numpy as np
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

__all__ = [
    "Change",
    "DocumentInfo",
    "Finished",
    "Match",
    "SentenceStore",
    "Store",
    "check_home",
    "make_private",
]

SENTENCES = "article_sentences"
DOCUMENTS = "article_documents"
_REBUILD = "_rebuild"
SERVER_TIMEOUT = 30.0  # seconds a Chroma server may take over one request
_SCHEMA = 2
# Inverted indexes Chroma keeps on metadata; only these keys are ever filtered on.
_FILTERED = {SENTENCES: {"document", "version"}, DOCUMENTS: {"seq", "removed"}}
# Characters of an article's text of record written in one request. Chroma holds about 16 times
# a document's size in memory while it writes it: a 20 MB text written whole took 320 MB.
TEXT_PART = 1 << 20


@dataclass(frozen=True)
class DocumentInfo:
    """An indexed article, as the manifest records it."""

    id: str
    title: str
    source: str
    digest: str
    sentences: int
    author: str = ""
    published: str = ""  # ISO date from the source, if it gives one
    added: int = 0  # when the article was first indexed (microseconds since the epoch)
    pages: tuple[int, ...] = ()  # where each page starts in the text (PDF)

    @property
    def version(self) -> str:
        """`id@digest`: names the sentences of this text of the article."""
        return f"{self.id}@{self.digest}"


@dataclass(frozen=True)
class Change:
    """A manifest record newer than some point: an article added, changed or removed."""

    document: DocumentInfo
    seq: int
    removed: bool


@dataclass(frozen=True)
class Finished:
    """An article whose sentences are all written: what its manifest record needs."""

    article: Article
    sentences: int
    centroid: np.ndarray


@dataclass(frozen=True)
class Match:
    """A sentence found by vector search: its article version, number and cosine similarity."""

    version: str
    number: int
    similarity: float

    @property
    def document(self) -> str:
        """The article's id."""
        return self.version.rsplit("@", 1)[0]


class Store(Protocol):
    """What the index and the assistant ask of a store; SentenceStore is the real one."""

    @property
    def identity(self) -> str: ...

    @property
    def location(self) -> str: ...

    def reload(self) -> None: ...

    def changes_since(self, seq: int) -> list[Change]: ...

    def changed_elsewhere(self, change: Change) -> bool: ...

    def documents(self) -> list[DocumentInfo]: ...

    def document_text(self, doc_id: str) -> str: ...

    def nearest(
        self, vector: np.ndarray, k: int, documents: Sequence[str] | None = None
    ) -> list[Match]: ...

    def vectors(self, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], np.ndarray]: ...

    def contains(self, article: Article) -> bool: ...

    def write(self, rows: Sequence[tuple[Article, Sentence]], vectors: np.ndarray) -> None: ...

    def commit(self, finished: Sequence[Finished]) -> list[int]: ...

    def remove(self, doc_id: str) -> int: ...

    @property
    def seeded(self) -> bool: ...

    def mark_seeded(self) -> None: ...

    def record_encoder(self, path: str, sha256: str) -> None: ...


class SentenceStore:
    """Sentence vectors and articles in Chroma, embedded at `home` or on a Chroma server."""

    def __init__(
        self,
        client: ClientAPI,
        *,
        embedding_model: str,
        splitter: str,
        location: str,
        suffix: str = "",
        home: Path | None = None,
    ) -> None:
        self._client = client
        self._location = location
        self._home = home  # set for an embedded store, which `reload` opens again
        self._suffix = suffix
        self.opened_at = _now()  # changes after this, by other processes, need a `reload`
        self.own_changes: set[int] = set()  # the `seq` of each change this object made
        self._last_seq = 0
        self._built_with = {
            "embedding_model": embedding_model,
            "splitter": splitter,
            "schema": _SCHEMA,
        }
        self._sentences, self._documents = self._collections()

    @classmethod
    def open(
        cls,
        *,
        home: Path | None,
        url: str | None,
        embedding_model: str,
        splitter: str,
        timeout: float = SERVER_TIMEOUT,
    ) -> SentenceStore:
        """Open (creating if needed) the store under `home`, or on the server at `url` (each
        request to it bounded by `timeout` seconds)."""
        if url:
            client, location = _http_client(url, timeout), url
        elif home is not None:
            client, location = _persistent_client(home), str(home)
        else:
            raise StoreUnavailable("no index location; set ASSISTANT_HOME or ASSISTANT_CHROMA_URL.")
        return cls(
            client,
            embedding_model=embedding_model,
            splitter=splitter,
            location=location,
            home=None if url else home,
        )

    @classmethod
    def rebuild(
        cls,
        *,
        home: Path | None,
        url: str | None,
        embedding_model: str,
        splitter: str,
        reindex: Callable[[SentenceStore, list[Article]], None],
        timeout: float = SERVER_TIMEOUT,
    ) -> list[Article]:
        """Re-index every stored article into fresh collections, then swap them in.

        `reindex(store, articles)` fills the fresh store. The old collections are dropped only
        after the new ones are complete; an interrupted swap is finished on the next open.
        """
        client = _http_client(url, timeout) if url else _persistent_client(home or Path("."))
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

    def reload(self) -> None:
        """See what other processes wrote to an embedded store since this one opened it.

        subtle: embedded Chroma keeps each collection's vector index in memory as it first read
        it. Another process's sentences are in the files but not in that copy, so searching
        misses them and fetching them fails ("Error finding id"). Opening the store again reads
        the index afresh. A server needs none of this.
        """
        if self._home is None:
            return
        close = getattr(self._client, "close", None)  # releases this process's cached copy
        if close is not None:
            close()
        self.opened_at = _now()
        self._client = _persistent_client(self._home)
        self._sentences, self._documents = self._collections()

    def changed_elsewhere(self, change: Change) -> bool:
        """Whether another process made this change since this store was (re)opened."""
        return change.seq >= self.opened_at and change.seq not in self.own_changes

    @property
    def identity(self) -> str:
        """Names this store's collections: changes when they are rebuilt or recreated."""
        return f"{self._sentences.id}/{self._documents.id}"

    # --- reading -----------------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        """The indexed articles, by id."""
        records = self._documents.get(where={"removed": False}, include=["metadatas"])
        infos = [
            _document_info(id_, meta)
            for id_, meta in zip(records["ids"], records["metadatas"] or [])
        ]
        return sorted(infos, key=lambda info: info.id)

    def changes_since(self, seq: int) -> list[Change]:
        """Manifest records changed after `seq` (microseconds), removals included, oldest first."""
        where: Any = {"seq": {"$gt": seq}}
        records = self._documents.get(where=where, include=["metadatas"])
        changes = [
            Change(
                _document_info(id_, meta), int(cast(Any, meta["seq"])), bool(meta.get("removed"))
            )
            for id_, meta in zip(records["ids"], records["metadatas"] or [])
        ]
        return sorted(changes, key=lambda change: change.seq)

    def document_text(self, doc_id: str) -> str:
        """The article's text of record; sentence offsets point into it."""
        records = self._documents.get(ids=[doc_id], include=["documents", "metadatas"])
        metas = records["metadatas"] or []
        if not records["ids"] or (metas and metas[0].get("removed")):
            raise UnknownDocument(f"no document '{doc_id}' in the index; see `assistant list`.")
        first = (records["documents"] or [""])[0] or ""
        parts = _part_ids(f"{doc_id}@{metas[0].get('digest', '')}", metas[0])
        if not parts:
            return first
        rest = self._documents.get(ids=parts, include=["documents"])
        found = dict(zip(rest["ids"], rest["documents"] or []))
        if set(found) != set(parts):
            raise StoreUnavailable(
                f"part of the text of '{doc_id}' is missing from the index at {self._location}; "
                f"run `assistant remove {doc_id}` and add the article again."
            )
        return first + "".join(found[id_] or "" for id_ in parts)

    def nearest(
        self, vector: np.ndarray, k: int, documents: Sequence[str] | None = None
    ) -> list[Match]:
        """The `k` sentence records nearest to `vector` (of these articles, if given), best
        first (any version: check it)."""
        if k <= 0 or documents == []:
            return []
        where: Any = None if documents is None else {"document": {"$in": list(documents)}}
        result = self._sentences.query(
            query_embeddings=cast(Any, [vector]), n_results=k, where=where, include=["distances"]
        )
        ids = result["ids"][0]
        distances = (result["distances"] or [[]])[0]
        return [Match(*_parse_id(id_), 1.0 - float(d)) for id_, d in zip(ids, distances)]

    def vectors(self, keys: Sequence[tuple[str, int]]) -> dict[tuple[str, int], np.ndarray]:
        """The stored vectors of (version, number) sentences; missing ones are left out."""
        import numpy as np

        if not keys:
            return {}
        records = self._sentences.get(
            ids=[_sentence_id(v, n) for v, n in keys], include=["embeddings"]
        )
        embeddings = records["embeddings"]
        if embeddings is None:
            return {}
        return {
            _parse_id(id_): np.asarray(vector, dtype=np.float32)
            for id_, vector in zip(records["ids"], embeddings)
        }

    @property
    def seeded(self) -> bool:
        """Whether the bundled article was ever indexed here (removing it is then respected)."""
        return bool((self._documents.metadata or {}).get("seeded"))

    def mark_seeded(self) -> None:
        """Record that the bundled article has been indexed once."""
        self._modify_metadata(seeded=True)

    def record_encoder(self, path: str, sha256: str) -> None:
        """Record which ONNX file embeds queries for this index."""
        meta = self._sentences.metadata or {}
        if meta.get("encoder") != path or meta.get("encoder_sha256") != sha256:
            self._sentences.modify(metadata={**meta, "encoder": path, "encoder_sha256": sha256})

    def contains(self, article: Article) -> bool:
        """Whether this exact article (same id and text) is already indexed."""
        records = self._documents.get(ids=[article.id], include=["metadatas"])
        metas = records["metadatas"] or []
        return (
            bool(metas) and not metas[0].get("removed") and metas[0].get("digest") == article.digest
        )

    # --- writing -----------------------------------------------------------------------------

    def write(self, rows: Sequence[tuple[Article, Sentence]], vectors: np.ndarray) -> None:
        """Store sentences, of one article or several; invisible until their article's commit.

        One request for the lot: a request to Chroma costs about as much as a hundred rows.
        """
        if len(rows) != len(vectors):
            raise ValueError("one vector per sentence")
        size = self._client.get_max_batch_size()
        for start in range(0, len(rows), size):
            batch = rows[start : start + size]
            self._sentences.upsert(
                ids=[_sentence_id(a.version, s.number) for a, s in batch],
                embeddings=cast(Any, vectors[start : start + size]),
                metadatas=[
                    {"document": a.id, "version": a.version, "number": s.number} for a, s in batch
                ],
            )

    def commit(self, finished: Sequence[Finished]) -> list[int]:
        """Make each article's written sentences the live ones, in one manifest write; returns
        each change's `seq`.

        Then deletes the sentences of their other versions. The articles' ids must differ.
        """
        if not finished:
            return []
        ids = [f.article.id for f in finished]
        if len(set(ids)) != len(ids):
            raise ValueError("one commit per article at a time")
        before = self._documents.get(ids=ids, include=["metadatas"])
        earlier = dict(zip(before["ids"], before["metadatas"] or []))
        seqs = self._next_seqs(len(finished))
        metadatas: list[Any] = []
        for f, seq in zip(finished, seqs):
            meta = earlier.get(f.article.id)
            # An update in place keeps the date the article was first added.
            live = meta is not None and not meta.get("removed")
            added = int(cast(Any, meta.get("added") or seq)) if meta and live else seq
            metadatas.append(
                {
                    "title": f.article.title,
                    "source": f.article.source,
                    "author": f.article.author,
                    "published": f.article.published,
                    "pages": ",".join(map(str, f.article.pages)),
                    "added": added,
                    "digest": f.article.digest,
                    "sentences": f.sentences,
                    "seq": seq,
                    "removed": False,
                }
            )
        for f, meta in zip(finished, metadatas):
            meta["parts"] = _part_count(f.article.text)
            for number in range(1, meta["parts"]):  # one request each: see TEXT_PART
                self._documents.upsert(
                    ids=[f"{f.article.version}#{number}"],
                    embeddings=cast(Any, [f.centroid]),
                    documents=[_text_part(f.article.text, number)],
                    metadatas=[
                        {"document": f.article.id, "version": f.article.version, "part": number}
                    ],
                )
        self._documents.upsert(
            ids=ids,
            embeddings=cast(Any, [f.centroid for f in finished]),
            documents=[_text_part(f.article.text, 0) for f in finished],
            metadatas=metadatas,
        )
        self.own_changes.update(seqs)
        versions = [f.article.version for f in finished]
        older: Any = {"$and": [{"document": {"$in": ids}}, {"version": {"$nin": versions}}]}
        self._sentences.delete(where=older)
        # The text parts of other versions, and of writes cut short: a part record names its
        # article in `document`, a manifest record does not.
        self._documents.delete(where=older)
        return seqs

    def remove(self, doc_id: str) -> int:
        """Drop an article and its sentences, leaving a tombstone; returns the change's `seq`."""
        records = self._documents.get(ids=[doc_id], include=["metadatas", "embeddings"])
        metas = records["metadatas"] or []
        if not records["ids"] or metas[0].get("removed"):
            raise UnknownDocument(f"no document '{doc_id}' in the index; see `assistant list`.")
        (seq,) = self._next_seqs(1)
        self.own_changes.add(seq)
        self._documents.upsert(  # the text goes; the record stays, to tell readers of the removal
            ids=[doc_id],
            embeddings=cast(Any, records["embeddings"]),
            documents=[""],
            metadatas=[{**metas[0], "digest": "", "sentences": 0, "seq": seq, "removed": True}],
        )
        self._sentences.delete(where={"document": doc_id})
        self._documents.delete(where={"document": doc_id})  # its text parts, if it had any
        return seq

    # --- helpers -----------------------------------------------------------------------------

    def _next_seqs(self, count: int) -> list[int]:
        # Distinct and rising, even for articles committed within the same microsecond.
        first = max(_now(), self._last_seq + 1)
        self._last_seq = first + count - 1
        return list(range(first, first + count))

    def _modify_metadata(self, **values: Any) -> None:
        self._documents.modify(metadata={**(self._documents.metadata or {}), **values})

    def _collections(self) -> tuple[Collection, Collection]:
        """The sentences and the manifest, created if they are missing."""
        try:
            _finish_interrupted_rebuild(self._client)
            existing = _collection_names(self._client)
        except Exception as exc:  # chromadb raises many types for an unusable store
            raise self._unusable(exc) from exc
        return (
            self._collection(SENTENCES + self._suffix, existing),
            self._collection(DOCUMENTS + self._suffix, existing),
        )

    def _collection(self, name: str, existing: set[str]) -> Collection:
        try:
            if name in existing:
                collection = self._client.get_collection(name, embedding_function=None)
            else:
                collection = self._client.get_or_create_collection(
                    name,
                    embedding_function=None,
                    metadata=dict(self._built_with),
                    schema=_schema_for(self._client, _FILTERED[name.removesuffix(_REBUILD)]),
                )
        except Exception as exc:  # chromadb raises many types for an unusable store
            raise self._unusable(exc) from exc
        built_with = collection.metadata or {}
        for key in ("embedding_model", "splitter"):
            if built_with.get(key) != self._built_with[key]:
                raise IndexMismatch(
                    f"the index at {self._location} was built with {key.replace('_', ' ')} "
                    f"'{built_with.get(key)}', not '{self._built_with[key]}'; "
                    "run `assistant rebuild` to re-index its articles."
                )
        if built_with.get("schema") != _SCHEMA:
            raise IndexMismatch(
                f"the index at {self._location} was built by an older version of the "
                "assistant; run `assistant rebuild` to re-index its articles."
            )
        return collection

    def _unusable(self, exc: Exception) -> StoreUnavailable:
        return StoreUnavailable(
            f"cannot open the index at {self._location} ({type(exc).__name__}); "
            "move it aside or point ASSISTANT_HOME elsewhere."
        )


# Metadata keys Chroma would index by default, and their kind; `_FILTERED` keeps some indexed.
_INDEXABLE = {
    "number": "int",
    "sentences": "int",
    "title": "string",
    "source": "string",
    "digest": "string",
}


def _schema(filtered: set[str]) -> dict[str, Any]:
    """Cosine HNSW, no full-text index (embedded Chroma keeps one anyway), and inverted indexes
    only on the keys filtered on: chromadb's collection `Schema`, in the JSON it serialises to.

    Written out, not built with chromadb's `Schema`: the embedded engine takes the JSON, and
    importing chromadb's Python package to build it cost a fresh home's first command about
    0.9 s and 45 MB (index/chroma_engine.py). tests/index/test_chroma_engine.py checks that
    chromadb's own `Schema` builds the same.
    """

    def index(name: str, enabled: bool, **config: Any) -> dict[str, Any]:
        return {name: {"enabled": enabled, "config": config}}

    def inverted(kind: str, enabled: bool) -> dict[str, Any]:
        return index(f"{kind}_inverted_index", enabled)

    legacy = {"type": "legacy"}
    keys: dict[str, Any] = {
        "#document": {"string": {**index("fts_index", False), **inverted("string", False)}},
        "#embedding": {
            "float_list": index(
                "vector_index",
                True,
                space="cosine",
                source_key="#document",
                embedding_function=legacy,
            )
        },
    }
    for key, kind in _INDEXABLE.items():
        if key not in filtered:
            keys[key] = {kind: inverted(kind, False)}
    defaults = {
        "string": {**index("fts_index", False), **inverted("string", True)},
        "float_list": index("vector_index", False, space="cosine", embedding_function=legacy),
        "sparse_vector": index(
            "sparse_vector_index", False, embedding_function={"type": "unknown"}
        ),
        **{kind: inverted(kind, True) for kind in ("int", "float", "bool")},
    }
    return {"defaults": defaults, "keys": keys}


def _schema_for(client: Any, filtered: set[str]) -> Any:
    """The schema in the form this client takes: its JSON for the engine, else chromadb's."""
    from index.chroma_engine import EngineClient

    if isinstance(client, EngineClient):
        return _schema(filtered)
    from chromadb.api.types import Schema  # a chromadb client has imported chromadb already

    return Schema.deserialize_from_json(_schema(filtered))


def _now() -> int:
    return time.time_ns() // 1000


def _sentence_id(version: str, number: int) -> str:
    return f"{version}:{number}"


def _parse_id(sentence_id: str) -> tuple[str, int]:
    version, number = sentence_id.rsplit(":", 1)
    return version, int(number)


def _stored_articles(client: ClientAPI) -> list[Article]:
    """The articles of a store, read without checking what built it."""
    try:
        documents = client.get_collection(DOCUMENTS, embedding_function=None)
        records = documents.get(include=["documents", "metadatas"])
    except Exception:  # no manifest yet: nothing to re-index
        return []
    rows = list(zip(records["ids"], records["documents"] or [], records["metadatas"] or []))
    text_of = {id_: text or "" for id_, text, _ in rows}
    articles = []
    for id_, text, meta in rows:
        if "part" in meta or meta.get("removed") or not text:
            continue  # a part of a longer text, or a removed article
        parts = _part_ids(f"{id_}@{meta.get('digest', '')}", meta)
        if any(part not in text_of for part in parts):  # before anything is dropped
            raise StoreUnavailable(
                f"part of the text of '{id_}' is missing from the index; run `assistant remove "
                f"{id_}` first, and add the article again after the rebuild."
            )
        articles.append(
            Article(
                id=id_,
                title=str(meta.get("title", id_)),
                text=text + "".join(text_of[part] for part in parts),
                source=str(meta.get("source", "")),
                author=str(meta.get("author", "")),
                published=str(meta.get("published", "")),
                pages=_pages(meta),
            )
        )
    return articles


def _part_count(text: str) -> int:
    """How many parts the text of record is written in, one request each (one for most)."""
    return max(1, -(-len(text) // TEXT_PART))


def _text_part(text: str, number: int) -> str:
    """Part `number` of the text of record; each is cut when written, so only one is a copy."""
    return text[number * TEXT_PART : (number + 1) * TEXT_PART]


def _part_ids(version: str, meta: Any) -> list[str]:
    """The ids of the part records after the manifest's own part, for a text in `parts`."""
    return [f"{version}#{number}" for number in range(1, int(meta.get("parts") or 1))]


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


def check_home(home: Path) -> None:
    """Make sure ASSISTANT_HOME is a directory we can use, creating it if need be."""
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
    make_private(home)


def make_private(home: Path) -> None:
    """ASSISTANT_HOME and everything in it for its owner only: it holds articles and questions.

    Folders become 0700 and files 0600, whatever the umask they were made under.
    """
    for path in [home, *home.rglob("*")]:
        try:
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                continue
            wanted = 0o700 if stat.S_ISDIR(mode) else 0o600
            if stat.S_IMODE(mode) != wanted:
                path.chmod(wanted)
        except OSError:  # gone meanwhile, or not ours: nothing to protect here
            continue


def _persistent_client(home: Path) -> ClientAPI:
    check_home(home)
    from index.chroma_engine import EngineClient

    try:
        return cast("ClientAPI", EngineClient(home / "chroma"))
    except Exception as exc:  # a damaged or foreign store: report it, never overwrite it
        raise StoreUnavailable(
            f"cannot open the index at {home} ({type(exc).__name__}); "
            "move it aside or point ASSISTANT_HOME elsewhere."
        ) from exc


def _http_client(url: str, timeout: float) -> ClientAPI:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise StoreUnavailable(f"ASSISTANT_CHROMA_URL={url} is not a URL like http://host:8000.")
    import chromadb
    import httpx
    from chromadb.config import Settings

    port = parsed.port or (443 if parsed.scheme == "https" else 8000)
    base = f"{parsed.scheme}://{parsed.hostname}:{port}"
    try:
        # chromadb's own client waits forever: a server that accepts and never replies would
        # hang every command. Its first request is made here, so the heartbeat goes first.
        httpx.get(f"{base}/api/v2/heartbeat", timeout=timeout).raise_for_status()
        client = chromadb.HttpClient(
            host=parsed.hostname,
            port=port,
            ssl=parsed.scheme == "https",
            settings=Settings(anonymized_telemetry=False),
        )
    except httpx.TimeoutException as exc:
        raise StoreUnavailable(_timed_out(url, timeout)) from exc
    except Exception as exc:
        raise StoreUnavailable(
            f"cannot reach the Chroma server at {url} ({type(exc).__name__}); "
            "start it with `chroma run` or unset ASSISTANT_CHROMA_URL."
        ) from exc
    session = getattr(getattr(client, "_server", None), "_session", None)
    if isinstance(session, httpx.Client):
        session.timeout = httpx.Timeout(timeout)
    return cast("ClientAPI", _Bounded(client, url, timeout))


def _timed_out(url: str, timeout: float) -> str:
    return (
        f"the Chroma server at {url} did not answer within {timeout:g} s; check that it runs "
        "(`chroma run`), raise ASSISTANT_CHROMA_TIMEOUT, or unset ASSISTANT_CHROMA_URL."
    )


class _Bounded:
    """A Chroma client or collection whose timed-out requests raise StoreUnavailable."""

    def __init__(self, target: Any, url: str, timeout: float) -> None:
        self._target, self._url, self._timeout = target, url, timeout

    def __getattr__(self, name: str) -> Any:
        import httpx

        value = getattr(self._target, name)
        if not callable(value):
            return value

        def bounded(*args: Any, **kwargs: Any) -> Any:
            try:
                result = value(*args, **kwargs)
            except httpx.TimeoutException as exc:
                raise StoreUnavailable(_timed_out(self._url, self._timeout)) from exc
            if type(result).__name__ == "Collection":
                return _Bounded(result, self._url, self._timeout)
            return result

        return bounded


def _document_info(doc_id: str, meta: Any) -> DocumentInfo:
    return DocumentInfo(
        id=doc_id,
        title=str(meta.get("title", doc_id)),
        source=str(meta.get("source", "")),
        digest=str(meta.get("digest", "")),
        sentences=int(meta.get("sentences", 0)),
        author=str(meta.get("author", "")),
        published=str(meta.get("published", "")),
        added=int(meta.get("added") or meta.get("seq") or 0),
        pages=_pages(meta),
    )


def _pages(meta: Any) -> tuple[int, ...]:
    return tuple(int(n) for n in str(meta.get("pages") or "").split(",") if n)

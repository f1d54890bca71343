"""Embedded Chroma through its engine: the Rust bindings that chromadb's PersistentClient wraps.

Importing chromadb's Python client costs about 0.9 s and 45 MB (its API types, every embedding
function it offers, telemetry, an HTTP stack): more than the rest of a cold question together.
The engine beneath it loads in a tenth of that. `EngineClient` makes the few calls the store
needs straight to the engine, over the same files, so an index written either way reads the same
(tests/index/test_chroma_engine.py checks this against chromadb's own client).

chromadb's Python package is imported only when the engine raises one of chromadb's errors: a
collection is created from its schema's JSON (index.store), not from chromadb's `Schema`.
"""

from __future__ import annotations

import atexit
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = ["EngineClient", "EngineCollection", "release_all"]

_TENANT = "default_tenant"
_DATABASE = "default_database"

# One engine per store path in a process, as chromadb keeps one System per path: two would each
# hold a copy of the vector index and flush it to the same files.
_engines: dict[str, _Engine] = {}
_engines_lock = threading.Lock()


class _Engine:
    """The engine of one store path, and how many clients use it."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.bindings: Any = _start(path)
        self.users = 0

    def __getattr__(self, name: str) -> Any:
        if self.bindings is None:
            raise RuntimeError(f"the Chroma store at {self.path} was closed")
        return getattr(self.bindings, name)


def _acquire(path: str) -> _Engine:
    with _engines_lock:
        engine = _engines.get(path)
        if engine is None:
            # Closed at exit whatever still holds them, before the interpreter's teardown (which
            # the `assistant` command skips); registered once, however often engines come and go.
            atexit.unregister(release_all)
            atexit.register(release_all)
            engine = _engines[path] = _Engine(path)
        engine.users += 1
        return engine


def _release(engine: _Engine) -> None:
    with _engines_lock:
        engine.users -= 1
        if engine.users <= 0:
            _engines.pop(engine.path, None)
            engine.bindings = None  # dropping the engine frees its vector index


def release_all() -> None:
    """Drop every engine of this process, whatever clients still hold them."""
    with _engines_lock:
        for engine in _engines.values():
            engine.bindings = None
        _engines.clear()


def _start(path: str) -> Any:
    """The engine as chromadb's PersistentClient starts it, with chromadb's default settings."""
    import chromadb_rust_bindings as engine

    config = engine.SqliteDBConfig(
        hash_type=engine.MigrationHash.MD5,
        migration_mode=engine.MigrationMode.Apply,
        url=f"{path}/chroma.sqlite3",
    )
    # Each vector index keeps four data files and a metadata file open (chromadb's own sizing).
    return engine.Bindings(
        allow_reset=False,
        sqlite_db_config=config,
        persist_path=path,
        hnsw_cache_size=_open_files_allowed() // 5,
    )


def _open_files_allowed() -> int:
    try:
        import resource
    except ImportError:  # Windows, whose C runtime allows 512 by default
        return 512
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    return limit if 0 < limit < 1 << 20 else 1 << 20  # unlimited is no cache size


class EngineClient:
    """The subset of chromadb's client API the store uses, on the embedded engine at `path`."""

    def __init__(self, path: Path) -> None:
        self._engine = _acquire(str(path))
        self._closed = False

    def close(self) -> None:
        """Let go of the engine; the last client of a path releases its vector index."""
        if not self._closed:
            self._closed = True
            _release(self._engine)

    def get_max_batch_size(self) -> int:
        return int(self._engine.get_max_batch_size())

    def list_collections(self) -> list[EngineCollection]:
        models = self._engine.list_collections(None, None, _TENANT, _DATABASE)
        return [EngineCollection(self._engine, model) for model in models]

    def get_collection(self, name: str, embedding_function: None = None) -> EngineCollection:
        return EngineCollection(self._engine, self._engine.get_collection(name, _TENANT, _DATABASE))

    def get_or_create_collection(
        self,
        name: str,
        *,
        embedding_function: None = None,
        metadata: dict[str, Any] | None = None,
        schema: dict[str, Any] | None = None,
    ) -> EngineCollection:
        """The collection, created with this metadata and schema if it is missing.

        `schema` is chromadb's `Schema` in the JSON it serialises to (`Schema.serialize_to_json`).
        Without an embedding function chromadb's client sends no configuration, and neither does
        this one.
        """
        serialised = json.dumps(schema) if schema is not None else None
        model = self._engine.create_collection(
            name, None, serialised, metadata, True, _TENANT, _DATABASE
        )
        return EngineCollection(self._engine, model)

    def delete_collection(self, name: str) -> None:
        self._engine.delete_collection(name, _TENANT, _DATABASE)


class EngineCollection:
    """The subset of chromadb's Collection the store uses; results are plain dicts of lists."""

    def __init__(self, engine: _Engine, model: Any) -> None:
        self._engine = engine
        self.id = str(model.id)
        self.name: str = model.name
        self.metadata: dict[str, Any] | None = model.metadata

    def get(
        self,
        ids: Sequence[str] | None = None,
        where: dict[str, Any] | None = None,
        include: Sequence[str] = ("metadatas", "documents"),
    ) -> dict[str, Any]:
        found = self._engine.get(
            self.id,
            list(ids) if ids is not None else None,
            _where(where),
            None,
            0,
            None,
            list(include),
            _TENANT,
            _DATABASE,
        )
        return {
            "ids": found.ids,
            "embeddings": found.embeddings,
            "documents": found.documents,
            "metadatas": found.metadatas,
        }

    def query(
        self,
        query_embeddings: Sequence[np.ndarray],
        n_results: int,
        where: dict[str, Any] | None = None,
        include: Sequence[str] = ("distances",),
    ) -> dict[str, Any]:
        found = self._engine.query(
            self.id,
            None,
            list(query_embeddings),
            n_results,
            _where(where),
            None,
            list(include),
            _TENANT,
            _DATABASE,
        )
        return {"ids": found.ids, "distances": found.distances, "metadatas": found.metadatas}

    def upsert(
        self,
        ids: Sequence[str],
        embeddings: Any,
        metadatas: Sequence[dict[str, Any]] | None = None,
        documents: Sequence[str] | None = None,
    ) -> None:
        self._engine.upsert(
            self.id,
            list(ids),
            embeddings,
            list(metadatas) if metadatas is not None else None,
            list(documents) if documents is not None else None,
            None,
            _TENANT,
            _DATABASE,
        )

    def delete(self, ids: Sequence[str] | None = None, where: dict[str, Any] | None = None) -> None:
        if ids is None and where is None:
            raise ValueError("delete needs ids or a where filter")
        self._engine.delete(
            self.id,
            list(ids) if ids is not None else None,
            _where(where),
            None,
            None,
            _TENANT,
            _DATABASE,
        )

    def modify(self, name: str | None = None, metadata: dict[str, Any] | None = None) -> None:
        self._engine.update_collection(self.id, name, metadata, None)
        # As chromadb's Collection does: later reads of this object see the change.
        if name is not None:
            self.name = name
        if metadata is not None:
            self.metadata = metadata


def _where(where: dict[str, Any] | None) -> str | None:
    return json.dumps(where) if where else None

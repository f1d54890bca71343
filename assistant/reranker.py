"""The answer reranker: a cross-encoder that reads the question and a candidate sentence together.

A bi-encoder's similarity says a sentence is about the same thing as the question; this model is
trained to say whether the sentence answers it. It is MiniLM-L6 (the packaged all-MiniLM-L6-v2
weights) fine-tuned by training/train_reranker.py on questions about Lee corpus articles 210-299,
never on the benchmark's, and shipped as int8 ONNX beside this module (see its model card,
models/reranker.md). For each (question, sentence) pair it gives:
- `relevance`: the log-odds that the sentence answers the question;
- start and end logits over the sentence's tokens: where in the sentence the answer stands, so the
  answerer can take the figure or name attached to what was asked, not the first one it meets.

The sentence is read with its article's title and the sentence before it (who "he" is).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    from tokenizers import Encoding

    from index.encoder import OnnxModel

__all__ = [
    "MAX_TOKENS",
    "MODEL_FILE",
    "Judgement",
    "Reranker",
    "pair_text",
    "sentence_mask",
    "sentence_mask_feed",
]

MODEL_FILE = "reranker.onnx"
MAX_TOKENS = 128
_SEPARATOR = " || "
_MAX_SPAN_TOKENS = 12
# The words of the sentence before that the model reads: the ones nearest the candidate carry
# what "it" and "he" point at, and each token read costs time on every question.
_CONTEXT_WORDS = 12


def pair_text(sentence: str, title: str, before: str) -> str:
    """The second segment the model reads: the sentence first (spans index into it), then context.

    Shared with training, so the model is served exactly what it learned from.
    """
    return f"{sentence}{_SEPARATOR}{title}{_SEPARATOR}{_nearest_words(before)}"


@dataclass(frozen=True)
class Judgement:
    """The model's reading of one sentence for one question."""

    relevance: float  # log-odds that the sentence answers the question
    starts: tuple[tuple[int, int, float], ...]  # (char start, char end, start logit) per token
    ends: tuple[tuple[int, int, float], ...]  # (char start, char end, end logit) per token
    no_answer: float  # start + end logit of the empty answer ([CLS])

    def span_score(self, start: int, end: int) -> float:
        """How strongly the model points at sentence[start:end] as the answer."""
        first, last = self._edges(start, end)
        return first[0] + last[-1] if first and last else float("-inf")

    def name_score(self, start: int, end: int) -> float:
        """How strongly the model points at a name ending at `end`, from its best start in it.

        A title before a name ("Justice Richard Curtis", "Channel Seven") draws a weak start
        logit; the model pointing at "Richard Curtis" still points at the name.
        """
        first, last = self._edges(start, end)
        return max(first) + last[-1] if first and last else float("-inf")

    def _edges(self, start: int, end: int) -> tuple[list[float], list[float]]:
        """The start and end logits of the tokens within sentence[start:end]."""
        first = [s for a, b, s in self.starts if b > start and a < end]
        last = [e for a, b, e in self.ends if b > start and a < end]
        return first, last

    def best_span(self) -> tuple[int, int, float] | None:
        """The (start, end, score) of the model's own best answer span in the sentence."""
        best: tuple[int, int, float] | None = None
        for i, (a, _, s) in enumerate(self.starts):
            for _, b, e in self.ends[i : i + _MAX_SPAN_TOKENS]:
                if b > a and (best is None or s + e > best[2]):
                    best = (a, b, s + e)
        return best


class Reranker:
    """Scores candidate sentences for a question with the cross-encoder, on onnxruntime."""

    def __init__(self, path: Path | None = None) -> None:
        from index.encoder import OnnxModel, packaged_tokenizer

        self.path = path or Path(str(resources.files("assistant").joinpath("models", MODEL_FILE)))
        # One core a call: the pairs run side by side (`judge`).
        self._model: OnnxModel = OnnxModel(
            self.path, packaged_tokenizer(), max_length=MAX_TOKENS, threads=1
        )

    def warm_up(self) -> None:
        """Load the model now rather than on the first question."""
        self._model.warm_up()

    def judge(self, question: str, candidates: Sequence[tuple[str, str, str]]) -> list[Judgement]:
        """Judge (sentence, title, sentence before) candidates for `question`, in order.

        Each pair is its own call, one per core at a time: a batch would pad every pair to the
        longest, and share its activations' int8 range with the other pairs, so a sentence's
        judgement would hang on which sentences it was judged beside.
        """
        runs = self._model.run_side_by_side(
            [[(question, pair_text(*candidate))] for candidate in candidates],
            [sentence_mask_feed(len(sentence)) for sentence, _, _ in candidates],
        )
        return [
            _judgement(
                float(run.outputs["relevance"][0]),
                run.outputs["start_logits"][0],
                run.outputs["end_logits"][0],
                run.encodings[0],
                len(sentence),
            )
            for run, (sentence, _, _) in zip(runs, candidates)
        ]


def sentence_mask_feed(length: int) -> Callable[[list[Encoding]], dict[str, np.ndarray]]:
    """The `sentence_mask` input of one pair whose sentence is `length` characters long."""
    return lambda encodings: {"sentence_mask": sentence_mask(encodings, [length])}


def _nearest_words(text: str) -> str:
    words = text.split()
    return " ".join(words[-_CONTEXT_WORDS:])


def sentence_mask(encodings: Sequence[Encoding], lengths: Sequence[int]) -> np.ndarray:
    """1 for the tokens of the candidate sentence itself (not its title or context), else 0.

    The model pools these tokens to judge the sentence; shared with training.
    """
    import numpy as np

    width = max(len(e.ids) for e in encodings)
    mask = np.zeros((len(encodings), width), dtype=np.int64)
    for row, (encoding, length) in enumerate(zip(encodings, lengths)):
        for i, (sequence, (a, b)) in enumerate(zip(encoding.sequence_ids, encoding.offsets)):
            if sequence == 1 and a < b <= length:
                mask[row, i] = 1
    return mask


def _judgement(
    relevance: float, starts: np.ndarray, ends: np.ndarray, encoding: Encoding, length: int
) -> Judgement:
    """Keep the logits of the tokens that fall inside the sentence itself."""
    sequence_ids = encoding.sequence_ids
    offsets = encoding.offsets
    inside = [
        i
        for i, (sequence, (a, b)) in enumerate(zip(sequence_ids, offsets))
        if sequence == 1 and b <= length and b > a
    ]
    return Judgement(
        relevance=relevance,
        starts=tuple((offsets[i][0], offsets[i][1], float(starts[i])) for i in inside),
        ends=tuple((offsets[i][0], offsets[i][1], float(ends[i])) for i in inside),
        no_answer=float(starts[0] + ends[0]),
    )

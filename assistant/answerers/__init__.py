"""Answerers: turn a question and retrieved sentences into an Answer. One Protocol, many kinds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from assistant.answer import Answer

if TYPE_CHECKING:
    from assistant.answer import Hit
    from assistant.questions import Question

__all__ = ["Answerer", "StreamingAnswerer"]


class Answerer(Protocol):
    """Answers `query` (the standalone form of `question`) from retrieved sentences.

    `texts_to_embed(query)` names the texts the answer will need vectors for; the chain embeds
    them in the query's own call to the encoder (one call costs more than each short text in
    it) and hands them to `answer` as `vectors`.
    """

    name: str

    def texts_to_embed(self, query: str | Question) -> list[str]: ...

    def answer(
        self,
        question: str,
        hits: Sequence[Hit],
        *,
        query: str | Question = "",
        vectors: Mapping[str, Any] | None = None,
    ) -> Answer: ...


@runtime_checkable
class StreamingAnswerer(Answerer, Protocol):
    """An answerer that can show its text while it writes: str chunks, then the Answer."""

    def stream(
        self, question: str, hits: Sequence[Hit], *, query: str | Question = ""
    ) -> Iterator[str | Answer]: ...

"""Answerers: turn a question and retrieved sentences into an Answer. One Protocol, many kinds."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from assistant.answer import Answer

if TYPE_CHECKING:  # retrieval pulls in LangChain; `assistant --help` must not
    from assistant.answer import Hit

__all__ = ["Answerer", "StreamingAnswerer"]


class Answerer(Protocol):
    """Answers `query` (the standalone form of `question`) from retrieved sentences."""

    name: str

    def answer(self, question: str, hits: Sequence[Hit], *, query: str = "") -> Answer: ...


@runtime_checkable
class StreamingAnswerer(Answerer, Protocol):
    """An answerer that can show its text while it writes: str chunks, then the Answer."""

    def stream(
        self, question: str, hits: Sequence[Hit], *, query: str = ""
    ) -> Iterator[str | Answer]: ...

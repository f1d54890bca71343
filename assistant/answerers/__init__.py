"""Answerers: turn a question and retrieved sentences into an Answer. One Protocol, many kinds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from assistant.answer import Answer
from assistant.retrieval import Hit

__all__ = ["Answerer"]


class Answerer(Protocol):
    """Answers `query` (the standalone form of `question`) from retrieved sentences."""

    name: str

    def answer(self, question: str, hits: Sequence[Hit], *, query: str = "") -> Answer: ...

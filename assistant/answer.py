"""The answer a user gets: text with `[n]` markers and the sentences they cite, as JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

__all__ = ["Answer", "Citation"]


@dataclass(frozen=True)
class Citation:
    """A stored sentence shown to the user: `text == article[start:end]`, quoted verbatim.

    `role` is "cited" for sentences the answer rests on and "related" for the nearest sentences
    listed beside an answer that the article does not contain.
    """

    n: int
    document: str
    sentence: int
    text: str
    start: int
    end: int
    score: float
    paragraph: int
    title: str
    role: Literal["cited", "related"] = "cited"
    page: int | None = None  # the page it is on, for an article with pages (PDF)


@dataclass(frozen=True)
class Answer:
    """One answer. `answered` is False when the indexed articles do not contain the answer."""

    question: str
    answer: str
    answered: bool
    citations: tuple[Citation, ...]
    answerer: str
    query: str = ""
    short_answer: str | None = None
    kind: str = "answer"  # answer, not_found, small_talk, about_assistant, not_a_question, ...
    notices: tuple[str, ...] = field(default=())
    unsupported: tuple[str, ...] = field(default=())  # model sentences the verifier removed

    def to_dict(self) -> dict[str, Any]:
        """The answer JSON of DESIGN.md, plus `query`, `short_answer`, `kind`, `notices` and
        `unsupported`."""
        data = asdict(self)
        data["citations"] = [{**asdict(c), "score": round(c.score, 4)} for c in self.citations]
        data["notices"] = list(self.notices)
        data["unsupported"] = list(self.unsupported)
        return data

    def to_json(self) -> str:
        """One line of JSON, non-ASCII kept readable, every control character escaped."""
        from assistant.terminal import json_line

        return json_line(self.to_dict())

"""The values that cross modules, from a retrieved sentence to the answer a user gets.

`Hit` is a retrieved sentence with its scores; `Citation` a sentence shown to the user; `Answer`
the text with `[n]` markers and the sentences they cite, as JSON; `Turn` one exchange of a
conversation. Plain frozen dataclasses: this module imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from assistant.reranker import Judgement
    from index.lexical import StoredSentence

__all__ = ["Answer", "Asks", "Citation", "Hit", "Turn"]


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


@dataclass(frozen=True)
class Turn:
    """One exchange of a conversation."""

    question: str
    answer: Answer


@dataclass(frozen=True)
class Hit:
    """A retrieved sentence with its scores and its neighbours in the article."""

    sentence: StoredSentence
    title: str
    score: float  # fused reciprocal-rank score
    similarity: float  # cosine similarity to the query
    lexical: float  # BM25 score (0 when no query term occurs)
    before: str = ""
    after: str = ""
    judgement: Judgement | None = None  # the reranker's reading, when one reranked the hits
    page: int | None = None  # the page it is on (PDF)

    @property
    def relevance(self) -> float | None:
        """The reranker's log-odds that this sentence answers the question, if it judged."""
        return self.judgement.relevance if self.judgement else None

    @property
    def probability(self) -> float:
        """The reranker's probability that this sentence answers the question (0 unjudged)."""
        import math

        return 1.0 / (1.0 + math.exp(-self.judgement.relevance)) if self.judgement else 0.0

    @property
    def headline(self) -> bool:
        """The sentence is its article's headline (its title, standing first)."""
        return self.sentence.number == 1 and self.sentence.text.strip() == self.title.strip()

    def cite(self, n: int, role: Literal["cited", "related"] = "cited") -> Citation:
        """This sentence as citation `[n]`, quoting the stored text."""
        s = self.sentence
        return Citation(
            n=n,
            document=s.document,
            sentence=s.number,
            text=s.text,
            start=s.start,
            end=s.end,
            score=self.probability if self.judgement else max(0.0, min(1.0, self.similarity)),
            paragraph=s.paragraph,
            title=self.title,
            role=role,
            page=self.page,
        )


class Asks(Protocol):
    """What a front end needs of the assistant: an answer to a question, in a conversation."""

    def ask(
        self,
        question: str,
        history: Sequence[Turn | tuple[str, Answer]] = (),
        documents: Sequence[str] | None = None,
    ) -> Answer:
        """Answer `question` after the turns of `history`, from these articles (None: all)."""
        ...

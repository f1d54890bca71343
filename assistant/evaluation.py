"""Score an answerer on a question set: accuracy, citations, abstention, with the failures.

A question set is JSON Lines, one question a line:
    {"question": "...", "history": ["earlier question", ...],
     "sentences": [4], "short": ["$6 million"], "document": "deepseek", "type": "how much"}
or  {"question": "...", "unanswerable": true, "trap": "other_entity"}
Earlier turns are asked first, in one conversation, so follow-ups see real earlier answers.
A citation hits when it names the expected document and sentence; citing another article's
sentence counts against precision. `type` (who, when, how many, ...) and `trap` (missing,
other_entity, wrong_type) are optional labels the report breaks the figures down by.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answer import Answer, Turn
from assistant.errors import AssistantError

__all__ = ["Case", "Outcome", "Report", "evaluate", "load_cases"]

# Question types whose answer is a clause, which the cited sentences may give in full.
_CLAUSE_TYPES = frozenset({"what", "why", "how", "yes/no"})


@dataclass(frozen=True)
class Case:
    """One question of a set, with what a right answer looks like."""

    id: str
    question: str
    history: tuple[str, ...] = ()
    sentences: frozenset[int] = frozenset()
    short: tuple[str, ...] = ()
    document: str = ""
    unanswerable: bool = False
    split: str = "dev"
    type: str = ""
    trap: str = ""


@dataclass(frozen=True)
class Outcome:
    """How one answer fared."""

    case: Case
    answer: Answer

    @property
    def cited(self) -> set[tuple[str, int]]:
        """The (document, sentence) pairs the answer cites (related sentences excluded)."""
        return {(c.document, c.sentence) for c in self.answer.citations if c.role == "cited"}

    @property
    def expected(self) -> set[tuple[str, int]]:
        """The (document, sentence) pairs that answer the question."""
        if self.case.document:
            return {(self.case.document, n) for n in self.case.sentences}
        return {(d, n) for d, n in self.cited if n in self.case.sentences}

    @property
    def hit(self) -> bool:
        """The answer cites a sentence that answers the question."""
        return bool(self.cited & self.expected)

    @property
    def short_ok(self) -> bool:
        """The short answer holds an expected one, when one is expected.

        A question whose answer is a clause (what, why, how, yes/no) may be answered by the cited
        sentences alone: then they must hold it. Who, when, where, which, how many and how much
        need a short answer.
        """
        if not self.case.short:
            return True
        shown = self.answer.short_answer
        if shown is None and self.case.type in _CLAUSE_TYPES:
            shown = " ".join(c.text for c in self.answer.citations if c.role == "cited")
        got = _normal(shown or "")
        return any(_normal(s) in got or _same_country(s, got) for s in self.case.short)

    @property
    def correct(self) -> bool:
        """Answered right, or rightly declined."""
        if self.case.unanswerable:
            return not self.answer.answered
        return self.answer.answered and self.hit and self.short_ok

    @property
    def precision(self) -> float:
        """Share of cited sentences that answer the question."""
        cited = self.cited
        return len(cited & self.expected) / len(cited) if cited else 0.0


@dataclass(frozen=True)
class Report:
    """The scores of one run over a question set."""

    outcomes: tuple[Outcome, ...]
    figures: dict[str, float] = field(default_factory=dict)

    def failures(self) -> list[Outcome]:
        """The outcomes that were not correct."""
        return [o for o in self.outcomes if not o.correct]

    def breakdown(self) -> dict[str, dict[str, float]]:
        """The figures for each question type, each trap kind and the follow-ups."""
        groups: dict[str, list[Outcome]] = {}
        for o in self.outcomes:
            if o.case.type:
                groups.setdefault(f"type {o.case.type}", []).append(o)
            if o.case.trap:
                groups.setdefault(f"trap {o.case.trap}", []).append(o)
            if o.case.history:
                groups.setdefault("follow-ups", []).append(o)
        return {name: _figures(items) for name, items in sorted(groups.items())}

    def render(self, title: str = "", *, failures: bool = True) -> str:
        """A table of the figures, broken down by type and trap, and the list of failures."""
        lines = [title] if title else []
        lines += [
            f"  {name:<22} {value:6.0f}" if name == "questions" else f"  {name:<22} {value:6.3f}"
            for name, value in self.figures.items()
        ]
        groups = self.breakdown()
        if groups:
            lines.append(f"  {'':<22} {'n':>4} {'accuracy':>9} {'hit':>6} {'abstain':>8}")
            for name, figures in groups.items():
                trap = name.startswith("trap")
                lines.append(
                    f"  {name:<22} {figures['questions']:4.0f} "
                    + (
                        f"{'':>9} {'':>6} {figures['correct abstention']:8.3f}"
                        if trap
                        else f"{figures['answer accuracy']:9.3f} {figures['citation hit']:6.3f} "
                        f"{'':>8}"
                    )
                )
        if not failures:
            return "\n".join(lines)
        failed = self.failures()
        if failed:
            lines.append(f"  failures ({len(failed)}):")
            for o in failed:
                got = (
                    f"answered, cited {sorted(o.cited)}, short {o.answer.short_answer!r}"
                    if o.answer.answered
                    else "declined"
                )
                want = (
                    "decline"
                    if o.case.unanswerable
                    else f"cite {o.case.document or ''} {sorted(o.case.sentences)}"
                    + (f", short {list(o.case.short)}" if o.case.short else "")
                )
                lines.append(f"    {o.case.id} {o.case.question!r}: {got}; want {want}")
        return "\n".join(lines)


def load_cases(path: Path) -> list[Case]:
    """Read a question set; a malformed line is an AssistantError naming the line."""
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise AssistantError(f"cannot read {path} ({exc.strerror}); check the path.") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            cases.append(
                Case(
                    id=str(raw.get("id", f"line{number}")),
                    question=str(raw["question"]),
                    history=tuple(raw.get("history", ())),
                    sentences=frozenset(int(n) for n in raw.get("sentences", ())),
                    short=tuple(raw.get("short", ())),
                    document=str(raw.get("document", "")),
                    unanswerable=bool(raw.get("unanswerable", False)),
                    split=str(raw.get("split", "dev")),
                    type=str(raw.get("type", "")),
                    trap=str(raw.get("trap", "")),
                )
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise AssistantError(
                f"{path}:{number} is not a question record ({exc}); "
                "see `assistant eval --help` for the format."
            ) from exc
    return cases


def evaluate(cases: Iterable[Case], ask: Callable[[str, Sequence[Turn]], Answer]) -> Report:
    """Ask every case (its history first) and score the answers."""
    outcomes = []
    for case in cases:
        turns: list[Turn] = []
        for earlier in case.history:
            turns.append(Turn(earlier, ask(earlier, tuple(turns))))
        outcomes.append(Outcome(case, ask(case.question, tuple(turns))))
    return Report(tuple(outcomes), _figures(outcomes))


def _figures(outcomes: list[Outcome]) -> dict[str, float]:
    answerable = [o for o in outcomes if not o.case.unanswerable]
    unanswerable = [o for o in outcomes if o.case.unanswerable]
    answered = [o for o in answerable if o.answer.answered]

    def share(items: list[Outcome], test: Callable[[Outcome], bool]) -> float:
        return sum(1 for o in items if test(o)) / len(items) if items else 0.0

    return {
        "questions": float(len(outcomes)),
        "answer accuracy": share(answerable, lambda o: o.correct),
        "citation hit": share(answerable, lambda o: o.hit),
        "citation precision": (
            sum(o.precision for o in answered) / len(answered) if answered else 0.0
        ),
        "correct abstention": share(unanswerable, lambda o: not o.answer.answered),
        "false abstention": share(answerable, lambda o: not o.answer.answered),
        "overall accuracy": share(outcomes, lambda o: o.correct),
    }


def _normal(text: str) -> str:
    return re.sub(r"[^\w$%.]+", " ", text.lower().replace(",", "")).strip()


def _same_country(expected: str, got: str) -> bool:
    """ "Chinese" in the article is answered by "China": the answerer names countries."""
    from assistant.spans import country_of

    country = country_of(expected)
    return bool(country) and _normal(country) in got

"""Answer quality: ours beside a naive baseline, on the development set's two splits and a test set.

    python benchmarks/quality.py [tests/data/deepseek_dev.jsonl]

The baseline is dense top-1: the single sentence nearest the question, declined below a
similarity threshold, which is chosen on the dev split to get the most questions right (its best
case). It sees only the question, not the conversation. Our assistant's abstention model was fitted
on the calibration questions and the dev split (benchmarks/calibrate.py). The held-out split was
never fitted on, but its failures have been read. The test set (tests/data/deepseek_test.jsonl)
is never fitted on either; it was written before the answerer's latest changes (its first reading
is in the README): the figure to expect on new phrasings.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from assistant import Answer, Assistant, Citation, Turn
from assistant.evaluation import Case, Report, evaluate, load_cases
from assistant.questions import check_question

ROOT = Path(__file__).resolve().parent.parent
FIGURES = [
    "answer accuracy",
    "citation hit",
    "citation precision",
    "correct abstention",
    "false abstention",
]


def dense_top1(assistant: Assistant, threshold: float) -> Callable[[str, Sequence[Turn]], Answer]:
    """The naive baseline as an `ask` function."""
    index = assistant.index

    def ask(question: str, history: Sequence[Turn] = ()) -> Answer:
        question = check_question(question)
        index.refresh()
        match = index.store.query(index.embed_query(question), 1)[0]
        s = match.sentence
        answered = match.similarity >= threshold
        citation = Citation(
            n=1,
            document=s.document,
            sentence=s.number,
            text=s.text,
            start=s.start,
            end=s.end,
            score=match.similarity,
            paragraph=s.paragraph,
            title="",
            role="cited" if answered else "related",
        )
        return Answer(
            question=question,
            answer=s.text if answered else "Not found.",
            answered=answered,
            citations=(citation,),
            answerer="dense-top1",
            short_answer=s.text,
        )

    return ask


def table(rows: dict[str, Report]) -> str:
    """Figures side by side, one column per run."""
    width = max(len(name) for name in rows) + 2
    lines = [" " * 22 + "".join(f"{name:>{width}}" for name in rows)]
    for figure in FIGURES:
        lines.append(
            f"{figure:<22}" + "".join(f"{r.figures[figure]:>{width}.3f}" for r in rows.values())
        )
    return "\n".join(lines)


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "tests/data/deepseek_dev.jsonl"
    cases = load_cases(path)
    dev: list[Case] = [c for c in cases if c.split == "dev"]
    held: list[Case] = [c for c in cases if c.split != "dev"]
    test = load_cases(ROOT / "tests/data/deepseek_test.jsonl")
    with tempfile.TemporaryDirectory() as home:
        assistant = Assistant.open(home)
        assistant.ensure_index()
        thresholds = [t / 100 for t in range(20, 80, 2)]
        best = max(
            thresholds,
            key=lambda t: sum(o.correct for o in evaluate(dev, dense_top1(assistant, t)).outcomes),
        )
        baseline = dense_top1(assistant, best)
        runs = {
            "ours dev": evaluate(dev, assistant.ask),
            "ours held-out": evaluate(held, assistant.ask),
            "ours all": evaluate(cases, assistant.ask),
            "ours test": evaluate(test, assistant.ask),
            "baseline dev": evaluate(dev, baseline),
            "baseline held-out": evaluate(held, baseline),
            "baseline all": evaluate(cases, baseline),
            "baseline test": evaluate(test, baseline),
        }
    print(
        f"{path.name}: {len(dev)} dev + {len(held)} held-out questions "
        f"({sum(c.unanswerable for c in cases)} unanswerable, "
        f"{sum(bool(c.history) for c in cases)} follow-ups); "
        f"deepseek_test.jsonl: {len(test)} questions; "
        f"baseline threshold {best:.2f} (chosen on dev)\n"
    )
    print(table(runs))
    print("\n" + runs["ours all"].render("our failures, development set:"))
    print("\n" + runs["ours test"].render("our failures, test set:"))


if __name__ == "__main__":
    main()

"""Quality on the bundled article: the answerer before and with the reranker, beside a baseline.

    python benchmarks/quality.py [tests/data/deepseek_dev.jsonl]

Four question sets: the development set's two splits, the test set and the fresh set
(tests/data/deepseek_fresh.jsonl, 45 questions written by a writer who never saw the code, never
fitted on and never read while developing). Runs: `features` (the answerer as it stood before the
reranker), `combined` (the reranker with the checks; the default) and the dense top-1 baseline.

The baseline is dense top-1: the single sentence nearest the question, declined below a
similarity threshold, which is chosen on the dev split to get the most questions right (its best
case). It sees only the question, not the conversation. Our assistant's abstention model was fitted
on the calibration questions and the dev split (scripts/calibrate.py). The held-out split was
never fitted on, but its failures have been read. The test set (tests/data/deepseek_test.jsonl)
is never fitted on either; it was written before the answerer's latest changes (its first reading
is in the README): the figure to expect on new phrasings.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Answer, Assistant, Citation, Turn  # noqa: E402
from assistant.evaluation import Case, Report, evaluate, load_cases  # noqa: E402
from assistant.questions import check_question  # noqa: E402
from benchmarks.news import answering  # noqa: E402

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
        s, similarity = index.corpus.nearest(index.embed([question])[0], 1)[0]
        answered = similarity >= threshold
        citation = Citation(
            n=1,
            document=s.document,
            sentence=s.number,
            text=s.text,
            start=s.start,
            end=s.end,
            score=similarity,
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
    sets: dict[str, list[Case]] = {
        "dev": [c for c in cases if c.split == "dev"],
        "held": [c for c in cases if c.split != "dev"],
        "test": load_cases(ROOT / "tests/data/deepseek_test.jsonl"),
        "fresh": load_cases(ROOT / "tests/data/deepseek_fresh.jsonl"),
    }
    runs: dict[str, Report] = {}
    with tempfile.TemporaryDirectory() as home:
        assistant = Assistant.open(home)
        assistant.ensure_index()
        for mode in ("features", "combined"):
            ask = answering(assistant, mode)
            for name, chosen in sets.items():
                runs[f"{mode} {name}"] = evaluate(chosen, ask)
        answering(assistant, "combined")
        thresholds = [t / 100 for t in range(20, 80, 2)]
        best = max(
            thresholds,
            key=lambda t: sum(
                o.correct for o in evaluate(sets["dev"], dense_top1(assistant, t)).outcomes
            ),
        )
        for name in ("test", "fresh"):
            runs[f"baseline {name}"] = evaluate(sets[name], dense_top1(assistant, best))
    print(
        f"{path.name}: {len(sets['dev'])} dev + {len(sets['held'])} held-out questions; "
        f"test {len(sets['test'])}; fresh {len(sets['fresh'])}; "
        f"baseline threshold {best:.2f} (chosen on dev)\n"
    )
    print(table(runs))
    for name in ("test", "fresh"):
        print("\n" + runs[f"combined {name}"].render(f"combined, {name} set:", failures=False))


if __name__ == "__main__":
    main()

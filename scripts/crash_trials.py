"""Kill `assistant add` with SIGKILL at random moments; the index must stay whole every time.

    .venv/bin/python scripts/crash_trials.py [--trials 20] [--seed 0]

Each trial copies an index that holds the bundled article, starts `assistant add` of a folder of
40 real news articles (Lee corpus), kills it at a random moment, then checks that:
- the index opens (`assistant list --json` succeeds);
- every article is wholly present or wholly absent: its manifest count, its sentences in the
  lexical mirror and its vectors in Chroma all agree, and the mirror's sentences are exactly
  the splitter's sentences of the stored text;
- nothing is duplicated (one id per source, one vector per sentence);
and that running `add` again completes the job, after which the same checks hold with every
article present. CI runs it; it prints one line a trial and exits 1 on the first broken index.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
ARTICLES = 40


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        folder = write_articles(work / "articles")
        template = work / "template"
        assistant("list", home=template)  # the bundled article, once
        # The kills spread over a whole `add` as long as it takes on this machine, from start-up
        # on; every other one falls in its last third, where the articles are committed (the
        # folder's sentences are embedded together, so its articles finish late).
        whole = timed_add(template, folder, work / "timed")
        print(f"a whole `add` of the folder takes {whole:.1f} s; kills fall within it")
        for trial in range(1, args.trials + 1):
            home = work / f"trial-{trial}"
            shutil.copytree(template, home)
            delay = rng.uniform(0.05 if trial % 2 else 0.67, 1.0) * whole
            process = subprocess.Popen(
                [str(BIN / "assistant"), "add", str(folder)],
                env=environment(home),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(delay)
            finished = process.poll() is not None
            if not finished:
                os.kill(process.pid, signal.SIGKILL)
            process.wait()
            present = check(home, folder, complete=False)
            assistant("add", str(folder), home=home)
            check(home, folder, complete=True)
            how = "finished before the kill" if finished else f"killed after {delay:.1f} s"
            print(f"trial {trial:2d}: {how}; {present:2d}/{ARTICLES} articles whole; re-add ok")
            shutil.rmtree(home)
    print(f"{args.trials} trials: the index was whole after every kill")


def timed_add(template: Path, folder: Path, home: Path) -> float:
    """Seconds a whole `add` of the folder takes, into a copy of the template index."""
    shutil.copytree(template, home)
    started = time.perf_counter()
    assistant("add", str(folder), home=home)
    seconds = time.perf_counter() - started
    check(home, folder, complete=True)
    shutil.rmtree(home)
    return seconds


def write_articles(folder: Path) -> Path:
    from benchmarks.news_articles import lee_lines

    folder.mkdir(parents=True)
    for i, text in enumerate(lee_lines()[:ARTICLES]):
        (folder / f"lee-{i:03d}.txt").write_text(text, encoding="utf-8")
    return folder


def environment(home: Path) -> dict[str, str]:
    env = {**os.environ, "ASSISTANT_HOME": str(home), "ANONYMIZED_TELEMETRY": "False"}
    env.pop("ASSISTANT_CHROMA_URL", None)
    return env


def assistant(*args: str, home: Path) -> str:
    result = subprocess.run(
        [str(BIN / "assistant"), *args], env=environment(home), capture_output=True, text=True
    )
    if result.returncode != 0:
        fail(f"`assistant {' '.join(args)}` failed: {result.stderr.strip()[-500:]}")
    return result.stdout


def check(home: Path, folder: Path, *, complete: bool) -> int:
    """Check every invariant in a fresh process; returns how many of the folder's are present."""
    listed = json.loads(assistant("list", "--json", home=home))
    ids = [row["id"] for row in listed]
    sources = [row["source"] for row in listed]
    if len(set(ids)) != len(ids) or len(set(sources)) != len(sources):
        fail(f"duplicated articles: {sorted(ids)}")
    result = subprocess.run(
        [sys.executable, __file__, "--inspect", str(home)], capture_output=True, text=True
    )
    if result.returncode != 0:
        fail(result.stdout.strip() or result.stderr.strip()[-500:])
    present = sum(source.startswith(str(folder)) for source in sources)
    if complete and present != ARTICLES:
        fail(f"after the re-run, {present} of {ARTICLES} articles are indexed")
    return present


def inspect(home: Path) -> None:
    """Exit 1 with the reasons if any article is partly stored (run in its own process)."""
    from index.corpus import Corpus
    from index.embedders import DEFAULT_MODEL
    from index.sentences import SPLITTER

    corpus = Corpus.open(home=home, url=None, embedding_model=DEFAULT_MODEL, splitter=SPLITTER)
    problems = corpus.problems()
    if problems:
        raise SystemExit("; ".join(problems))


def fail(reason: str) -> None:
    print(f"FAILED: {reason}")
    raise SystemExit(1)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--inspect":
        inspect(Path(sys.argv[2]))
    else:
        main()

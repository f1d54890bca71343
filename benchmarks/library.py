"""A library of articles: adding a folder, and listing a thousand articles.

    python benchmarks/library.py

- Folder ingest: the 300 Lee corpus articles as files in one folder, `assistant add FOLDER` in a
  fresh process (the bundled article indexed beforehand, outside the timing): wall time and
  sentences a second, beside a bare `SentenceTransformer.encode` of the same sentences measured in
  the same run.
- Listing: the index grown to 1,000 articles (the Lee articles cut into pieces of three sentences,
  real text), then `assistant list --json` in a fresh process, median of 5, beside the floor of
  starting Python itself.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.news_articles import lee_lines  # noqa: E402
from benchmarks.speed import BIN, timed  # noqa: E402

LISTED = 1000


def main() -> None:
    from index.embedders import SentenceTransformerEmbedder
    from index.sentences import split_sentences

    lines = lee_lines()
    sentences = [s.text for line in lines for s in split_sentences(line)]
    reference = SentenceTransformerEmbedder()
    reference.embed(sentences[:64])
    started = time.perf_counter()
    reference.embed(sentences)
    bare = len(sentences) / (time.perf_counter() - started)
    with tempfile.TemporaryDirectory() as scratch:
        env = {"ASSISTANT_HOME": str(Path(scratch) / "home"), "ANONYMIZED_TELEMETRY": "False"}
        assistant = str(BIN / "assistant")
        subprocess.run(
            [assistant, "list"], check=True, capture_output=True, env={**os.environ, **env}
        )
        folder = Path(scratch) / "lee"
        folder.mkdir()
        for i, text in enumerate(lines):
            (folder / f"lee-{i:03d}.txt").write_text(text, encoding="utf-8")
        seconds, peak, out = timed([assistant, "add", "--json", str(folder)], env)
        report = json.loads(out)
        assert report["indexed"] == len(lines), report
        rate = len(sentences) / seconds
        print(f"machine: {os.cpu_count()} cores")
        print(f"`assistant add` of a folder: {len(lines)} Lee articles, {len(sentences)} sentences")
        print(f"  {seconds:6.1f} s, {rate:5.0f} sentences/s, {peak:5.0f} MB peak RSS")
        print(f"  bare SentenceTransformer.encode: {bare:5.0f} sentences/s ({rate / bare:.0%})")

        pieces = Path(scratch) / "pieces"
        pieces.mkdir()
        needed = LISTED - len(lines) - 1  # the bundled article is the thousandth
        count = 0
        for i, line in enumerate(lines):
            split = [s.text for s in split_sentences(line)]
            for start in range(0, len(split) - 2, 3):
                if count < needed:
                    text = " ".join(split[start : start + 3])
                    (pieces / f"piece-{i:03d}-{start:03d}.txt").write_text(text, encoding="utf-8")
                    count += 1
        subprocess.run(
            [assistant, "add", str(pieces)],
            check=True,
            capture_output=True,
            env={**os.environ, **env},
        )
        times = []
        for _ in range(5):
            seconds, peak, out = timed([assistant, "list", "--json"], env)
            times.append(seconds)
        listed = len(json.loads(out))
        floor = statistics.median(timed([sys.executable, "-c", "pass"])[0] for _ in range(5))
        print(f"`assistant list --json` of {listed} articles (median of 5 fresh processes):")
        print(
            f"  {statistics.median(times):5.2f} s, {peak:4.0f} MB peak RSS; "
            f"starting Python alone: {floor:4.2f} s"
        )


if __name__ == "__main__":
    main()

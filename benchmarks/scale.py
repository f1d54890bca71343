"""Does the assistant stay fast as the index grows? 3k, 30k and 300k sentences, embedded and server.

    python benchmarks/scale.py [--sizes 1,10,100] [--modes embedded,server]

Corpora: the 300 Lee articles (2,994 sentences) copied 1, 10 and 100 times under new ids, so
every copy is a new article to the index. Their sentences' vectors are computed once with the
assistant's encoder (cached in the temp directory) and each copy gets them with a little seeded
noise (sigma 0.01, renormalized), so the HNSW graph never holds exact duplicates. Ingest runs
through the assistant's own streaming pipeline (Chroma and the lexical mirror) with the cached
vectors in place of the model; the time and disk it takes are reported per 1k sentences.

For each size and mode, measured in fresh processes:
- first answer: `assistant ask --json` from process start to its answer (median of 3);
- warm p50 / p95 over 50 questions in one process, and that process's peak RSS.
Server mode serves the same data directory with a real `chroma run` on loopback; each client's
lexical mirror is brought up to date once before timing (a one-off per client, like its install).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from benchmarks.speed import percentile, timed  # noqa: E402

BIN = Path(sys.executable).parent
QUESTIONS = [
    "How many people were forced from their homes near Hill Top?",
    "Who is the new coach of Lleyton Hewitt?",
    "How much did it cost to train DeepSeek's model?",
    "What did the Reserve Bank governor say about interest rates?",
    "Where did the helicopters land?",
]
WARM = textwrap.dedent(
    """
    import json, resource, sys, time
    from assistant import Assistant
    assistant = Assistant.open()
    questions = json.loads(sys.argv[1])
    assistant.ask(questions[0])
    times = []
    for i in range(50):
        started = time.perf_counter()
        assistant.ask(questions[i % len(questions)])
        times.append(time.perf_counter() - started)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"times": times, "peak": peak}))
    """
)


class CachedVectors:
    """Stands in for the encoder while building big corpora: Lee vectors, computed once."""

    name = "sentence-transformers/all-MiniLM-L6-v2"

    def __init__(self, cache: Path) -> None:
        from assistant.config import Settings
        from benchmarks.news_articles import lee_lines
        from index.embedders import OnnxEmbedder
        from index.sentences import split_sentences

        texts = sorted({s.text for line in lee_lines() for s in split_sentences(line)})
        if cache.exists():
            vectors = np.load(cache)
        else:
            vectors = OnnxEmbedder(Settings.from_env().encoder).embed(texts)
            np.save(cache, vectors)
        self._vectors = dict(zip(texts, vectors))
        self._rng = np.random.default_rng(0)

    def embed(self, texts: list[str]) -> np.ndarray:
        rows = np.stack([self._vectors[t] for t in texts])
        rows = rows + self._rng.normal(0, 0.01, rows.shape).astype(np.float32)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def build(home: Path, copies: int, vectors: CachedVectors) -> tuple[int, float]:
    """Index `copies` copies of the Lee corpus under `home`: (sentences, seconds)."""
    from assistant import Assistant
    from benchmarks.news_articles import lee_lines
    from index.ingest import ingest
    from index.loaders import article_from_text

    assistant = Assistant.open(home)
    assistant.ensure_index()
    corpus = assistant.index.corpus
    lines = lee_lines()
    articles = (
        article_from_text(text, doc_id=f"lee-{i:03d}-{c:03d}")
        for c in range(copies)
        for i, text in enumerate(lines)
    )
    started = time.perf_counter()
    ingest(articles, store=corpus.store, lexical=corpus.lexical, embedder=vectors)
    seconds = time.perf_counter() - started
    return corpus.lexical.sentence_count(), seconds


def disk(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def measure(env: dict[str, str]) -> dict[str, float]:
    """First answer from process start (median of 3), warm p50/p95 and peak RSS."""
    import json

    firsts = [
        timed([str(BIN / "assistant"), "ask", "--json", QUESTIONS[1]], env)[0] for _ in range(3)
    ]
    _, _, out = timed([sys.executable, "-c", WARM, json.dumps(QUESTIONS)], env)
    warm = json.loads(out.strip().splitlines()[-1])
    return {
        "first": statistics.median(firsts),
        "p50": percentile(warm["times"], 0.5),
        "p95": percentile(warm["times"], 0.95),
        "peak": warm["peak"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10,100", help="copies of the Lee corpus")
    parser.add_argument("--modes", default="embedded,server")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="assistant-scale-"))
    vectors = CachedVectors(Path(tempfile.gettempdir()) / "article-assistant-lee-vectors.npy")
    rows: list[dict[str, Any]] = []
    try:
        for copies in (int(c) for c in args.sizes.split(",")):
            home = scratch / f"home-{copies}"
            sentences, seconds = build(home, copies, vectors)
            size = disk(home)
            row = {"sentences": sentences, "ingest": seconds, "disk": size}
            base_env = {"ANONYMIZED_TELEMETRY": "False", "HF_HUB_OFFLINE": "1"}
            if "embedded" in args.modes:
                row["embedded"] = measure({**base_env, "ASSISTANT_HOME": str(home)})
            if "server" in args.modes:
                row["server"] = serve_and_measure(home, scratch / f"client-{copies}", base_env)
            rows.append(row)
            print(row, flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report(rows)


def serve_and_measure(home: Path, client: Path, env: dict[str, str]) -> dict[str, float]:
    """The same data served by `chroma run` on loopback, measured from a client."""
    from tests.servers import free_port, running

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [str(BIN / "chroma"), "run", "--path", str(home / "chroma"), "--port", str(port)]
    with running(command, f"{url}/api/v2/heartbeat", env={"ANONYMIZED_TELEMETRY": "False"}):
        client_env = {**env, "ASSISTANT_HOME": str(client), "ASSISTANT_CHROMA_URL": url}
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "assistant"), "list"],
            check=True,
            capture_output=True,
            env={**os.environ, **client_env},
        )
        mirror = time.perf_counter() - started
        figures = measure(client_env)
    return {**figures, "mirror": mirror}


def report(rows: list[dict[str, Any]]) -> None:
    print(f"\nmachine: {os.cpu_count()} cores")
    print(f"{'sentences':>10}{'ingest s/1k':>13}{'disk MB/1k':>12}")
    for row in rows:
        k = row["sentences"] / 1000
        print(f"{row['sentences']:>10}{row['ingest'] / k:>13.2f}{row['disk'] / 1e6 / k:>12.2f}")
    for mode in ("embedded", "server"):
        measured = [r for r in rows if mode in r]
        if not measured:
            continue
        print(f"\n{mode}: first answer (s), warm p50 / p95 (ms), peak RSS (MB)")
        first = measured[0][mode]
        for row in measured:
            m = row[mode]
            ratio_first = m["first"] / first["first"]
            ratio_p95 = m["p95"] / first["p95"]
            print(
                f"{row['sentences']:>10}  first {m['first']:5.2f} ({ratio_first:3.1f}x)"
                f"  p50 {m['p50']:6.1f}  p95 {m['p95']:6.1f} ({ratio_p95:3.1f}x)"
                f"  peak {m['peak']:5.0f}"
                + (f"  mirror sync {m['mirror']:5.1f} s" if "mirror" in m else "")
            )


if __name__ == "__main__":
    main()

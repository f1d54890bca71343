"""How much memory an embedded Chroma index needs, beside what `assistant add` needs before it.

    python benchmarks/chroma_memory.py [--vectors 150000]

An embedded Chroma keeps every vector of its HNSW index in the process that writes or reads it.
This measures that cost with chromadb's own `PersistentClient`, in a fresh process that does
nothing else: random unit 384-dimension vectors (seeded) with ids and metadata shaped like the
assistant's sentence records, added in batches of 256 to a cosine collection. Its growth over the
idle client, divided by the vectors, is Chroma's memory a vector. Beside it, the peak RSS of
`assistant add` of a short text in a fresh home: what the command holds before the index grows
(the encoder, onnxruntime, Chroma's engine, Python). The two add up to the least an embedded add
or question can peak at for a corpus of a given size, whatever the assistant's own code does.
Takes about 3 minutes at the default 150,000 vectors.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.speed import BIN, timed  # noqa: E402

# Sentences in speed.py's 20 MB text file, and in scale.py's largest corpus.
CORPORA = [("a 20 MB text file", 149_000, 500), ("scale.py's 300k corpus", 268_311, 600)]

CHROMA_ALONE = textwrap.dedent(
    """
    import json, resource, sys
    import chromadb
    import numpy as np

    def rss_mb():
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024

    path, count = sys.argv[1], int(sys.argv[2])
    client = chromadb.PersistentClient(path)
    collection = client.create_collection("sentences", configuration={"hnsw": {"space": "cosine"}})
    idle = rss_mb()
    rng = np.random.default_rng(7)
    half = None
    for start in range(0, count, 256):
        if half is None and start >= count // 2:
            half = (rss_mb(), start)
        size = min(256, count - start)
        vectors = rng.standard_normal((size, 384)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        version = f"article-{start // 3000}@3f2a9c41d07e5b68"
        collection.add(
            ids=[f"{version}:{start + i}" for i in range(size)],
            embeddings=vectors,
            metadatas=[
                {"document": version.split("@")[0], "version": version, "number": start + i}
                for i in range(size)
            ],
        )
    collection.query(query_embeddings=vectors[:1], n_results=5)  # the index loaded and searched
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({
        "idle": idle, "half": half[0], "halfway": half[1], "end": rss_mb(), "peak": peak,
        "count": collection.count(),
    }))
    """
)


def chroma_alone(vectors: int) -> dict[str, float]:
    """RSS (MB) of chromadb's own client: idle, halfway, at the end and at its peak."""
    import json

    with tempfile.TemporaryDirectory() as scratch:
        # Two malloc arenas, as the `assistant` command sets for itself (assistant/cli.py).
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False", "MALLOC_ARENA_MAX": "2"}
        result = subprocess.run(
            [sys.executable, "-c", CHROMA_ALONE, scratch, str(vectors)],
            capture_output=True,
            text=True,
            env=env,
        )
    if result.returncode != 0:
        raise SystemExit(f"chromadb failed: {result.stderr.strip()[-800:]}")
    measured: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    if measured["count"] != vectors:
        raise SystemExit(f"chromadb holds {measured['count']} vectors, not {vectors}")
    return measured


def add_floor() -> float:
    """Peak RSS (MB) of `assistant add` of one short text, in a fresh home."""
    text = (ROOT / "index" / "data" / "deepseek.txt").read_text(encoding="utf-8")[:3000]
    with tempfile.TemporaryDirectory() as scratch:
        short = Path(scratch) / "short.txt"
        short.write_text(text, encoding="utf-8")
        env = {"ASSISTANT_HOME": str(Path(scratch) / "home"), "ANONYMIZED_TELEMETRY": "False"}
        _, peak, _ = timed([str(BIN / "assistant"), "add", str(short)], env)
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--vectors", type=int, default=150_000, help="vectors chromadb holds")
    args = parser.parse_args()
    if args.vectors < 2000:
        parser.error("--vectors must be at least 2000, so that the growth outweighs the noise")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    measured = chroma_alone(args.vectors)
    idle = measured["idle"]
    # The second half's growth: what each further vector costs, past the first add's set-up.
    added = args.vectors - measured["halfway"]
    per_vector = (measured["end"] - measured["half"]) * 1024 * 1024 / added
    overall = (measured["peak"] - idle) * 1024 * 1024 / args.vectors
    floor = add_floor()
    print(f"chromadb's PersistentClient alone, {args.vectors:,} vectors of 384 dimensions:")
    print(f"  idle client {idle:5.0f} MB, peak {measured['peak']:5.0f} MB")
    print(f"  {overall / 1024:4.2f} KB a vector over the idle client, {per_vector / 1024:4.2f} KB")
    print(f"  a vector over the second half (the vector's own floats: {384 * 4 / 1024:4.2f} KB)")
    print(f"assistant add of a short text, fresh home: {floor:5.0f} MB peak RSS\n")
    print("least a process holding an embedded index of each corpus peaks at:")
    for name, sentences, target in CORPORA:
        vectors_mb = per_vector * sentences / (1024 * 1024)
        print(
            f"  {name} ({sentences:,} sentences): chromadb's client alone {idle + vectors_mb:5.0f}"
            f" MB; the add's floor and the vectors {floor + vectors_mb:5.0f} MB; target {target} MB"
        )


if __name__ == "__main__":
    main()

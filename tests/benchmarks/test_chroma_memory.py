"""A small run of benchmarks/chroma_memory.py, so that the script behind its figures still works."""

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "chroma_memory.py"


def test_the_floor_is_measured_and_projected_for_both_corpora() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--vectors", "2000"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-800:]
    lines = result.stdout.splitlines()
    assert any("2,000 vectors of 384 dimensions" in line for line in lines)
    projections = [line for line in lines if "the add's floor and the vectors" in line]
    assert [p.split(" (")[0].strip() for p in projections] == [
        "a 20 MB text file",
        "scale.py's 300k corpus",
    ]


def test_too_few_vectors_is_refused_with_the_fix() -> None:
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--vectors", "10"], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "--vectors must be at least 2000" in result.stderr

"""Several processes on one embedded index at once: writers take turns, readers always answer."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from index.corpus import Corpus
from index.embedders import DEFAULT_MODEL
from index.sentences import SPLITTER
from index.writelock import writing

pytestmark = pytest.mark.integration  # the real model or a real server

ASSISTANT = str(Path(sys.executable).parent / "assistant")
FIRMS = (
    "Alder Birch Cedar Dogwood Elmwood Firwood Ginkgo Hazel Ironwood Juniper Kauri Larch Maple "
    "Nutmeg Oakley Poplar Quince Redwood Spruce Tamarind Umbrella Viburnum Walnut Xylo Yew "
    "Zelkova Acacia"
).split()
FOUNDERS = (
    "Abbott Barker Carver Dalton Ellison Fletcher Garner Hollis Ingram Jarvis Keller Lowell "
    "Mercer Norton Oakes Prescott Quinlan Rowe Sutton Thorne Upton Vance Whitaker Xavier Yates "
    "Zimmer Ashford"
).split()


def environment(home: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "ASSISTANT_HOME": str(home), "ANONYMIZED_TELEMETRY": "False", **extra}
    env.pop("ASSISTANT_CHROMA_URL", None)
    return env


def start(home: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [ASSISTANT, *args],
        env=environment(home, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_writers_and_readers_at_once_many_times(tmp_path: Path) -> None:
    home = tmp_path / "home"
    subprocess.run([ASSISTANT, "list"], env=environment(home), check=True, capture_output=True)
    facts: dict[str, tuple[str, str]] = {}  # by source: the firm and its founder
    for round_ in range(3):
        folders = []
        for writer in range(3):
            folder = tmp_path / f"round{round_}" / f"writer{writer}"
            folder.mkdir(parents=True)
            for n in range(3):
                index = round_ * 9 + writer * 3 + n
                name = f"{FIRMS[index]} Industries"
                founder = f"Jane {FOUNDERS[index]}"
                # The same file names in every folder: each writer's ids must not collide.
                path = folder / f"report-{n}.txt"
                path.write_text(
                    f"{name} was founded by {founder} in {1950 + index}. It makes parts for "
                    "tractors.",
                    encoding="utf-8",
                )
                facts[str(path.resolve())] = (name, founder)
            folders.append(folder)
        processes = [start(home, "add", str(folder)) for folder in folders]
        processes += [start(home, "ask", "Who founded DeepSeek?") for _ in range(4)]
        for process in processes:
            out, err = process.communicate(timeout=300)
            assert process.returncode == 0, err
            assert "Traceback" not in err
            if process.args[1] == "ask":  # type: ignore[index]
                assert out.startswith("Liang Wenfeng"), out
    corpus = Corpus.open(home=home, url=None, embedding_model=DEFAULT_MODEL, splitter=SPLITTER)
    assert corpus.problems() == []  # every article whole, in the mirror and the search index
    listed = json.loads(
        subprocess.run(
            [ASSISTANT, "list", "--json"], env=environment(home), capture_output=True, check=True
        ).stdout
    )
    ids = {row["source"]: row["id"] for row in listed}
    assert len(ids) == 1 + len(facts)  # nothing lost, nothing overwritten
    for source, (name, founder) in list(facts.items())[::3]:
        answer = subprocess.run(
            [ASSISTANT, "ask", f"Who founded {name}?", "--doc", ids[source]],
            env=environment(home),
            capture_output=True,
            text=True,
            check=True,
        )
        assert answer.stdout.startswith(founder), answer.stdout


def test_a_writer_that_cannot_get_the_lock_waits_then_names_the_server_mode(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    subprocess.run([ASSISTANT, "list"], env=environment(home), check=True, capture_output=True)
    article = tmp_path / "story.txt"
    article.write_text("Acme Corp was founded by Jane Roe in 2001.", encoding="utf-8")
    with writing(home, notify=print):
        result = subprocess.run(
            [ASSISTANT, "add", str(article)],
            env=environment(home, ASSISTANT_LOCK_TIMEOUT="2"),
            capture_output=True,
            text=True,
        )
    assert result.returncode == 1
    waiting, error = result.stderr.strip().splitlines()
    assert waiting.startswith("Waiting for another process that is writing to the index")
    assert error.startswith("Error: another process has been writing to the index")
    assert "ASSISTANT_CHROMA_URL" in error
    added = subprocess.run(
        [ASSISTANT, "add", str(article)], env=environment(home), capture_output=True, text=True
    )
    assert added.returncode == 0 and "indexed as story" in added.stdout


def test_a_long_running_process_sees_and_keeps_what_another_process_wrote(
    tmp_path: Path,
) -> None:
    """A chat or Slack bot stays open while `assistant add` runs in another terminal."""
    from assistant import Assistant
    from index.loaders import article_from_text

    home = tmp_path / "home"
    bot = Assistant.open(home)
    assert bot.ask("Who founded DeepSeek?").short_answer == "Liang Wenfeng"  # index in memory
    story = tmp_path / "acme.txt"
    story.write_text("Acme Rockets was founded by Jane Roe in 2001.", encoding="utf-8")
    subprocess.run([ASSISTANT, "add", str(story)], env=environment(home), check=True)
    # The other process's sentences are found and fetched, not "Error finding id".
    assert bot.ask("Who founded Acme Rockets?").short_answer == "Jane Roe"
    # And writing from here keeps them in the search index.
    bot.add([article_from_text("Zenith Boats was founded by Tom Ash in 1990.", doc_id="zenith")])
    fresh = Corpus.open(home=home, url=None, embedding_model=DEFAULT_MODEL, splitter=SPLITTER)
    assert fresh.problems() == []

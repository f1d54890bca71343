"""A user's own library through the CLI: folders, links, PDFs, ids, listing, limits to articles.

Every scenario runs twice: on the embedded store and on a real `chroma run` on loopback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from assistant.cli import cli

from ..pdfs import make_pdf
from ..servers import reset_chroma_server
from ..sites import PAGES, news_site

ALPHA = "Alpha Corp was founded by Jane Smith in 2001. It makes chips in a plant in Ohio."
BETA = "Beta Ltd was founded by Tom Brown in 1999. It sells phones from a shop in Texas."
GAMMA = "Gamma GmbH builds trains in Berlin. The company has about 500 workers."
WIRE = (
    "Orion Motors to build battery plant in Ohio\n\n"
    "Orion Motors will spend $2.1 billion on a new battery plant near Columbus, the carmaker "
    "said on Monday.\nThe plant is expected to employ about 1,500 people when it opens in 2027.\n"
)
LOCAL = (
    "Columbus lands Orion battery factory\n\n"
    "Carmaker Orion Motors said the battery factory near Columbus would cost $2.5 billion, "
    "according to state officials.\nLocal leaders said the plant could bring 1,800 jobs.\n"
)


@pytest.fixture(params=["embedded", "server"])
def library_home(request: pytest.FixtureRequest, home_env: Path) -> Iterator[Path]:
    """A fresh home: its own embedded store, or a fresh store on a real Chroma server."""
    if request.param == "server":
        url = request.getfixturevalue("chroma_url")
        reset_chroma_server(url)
        monkeypatch = request.getfixturevalue("monkeypatch")
        monkeypatch.setenv("ASSISTANT_CHROMA_URL", url)
    yield home_env


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def added(*args: str) -> tuple[int, dict[str, Any]]:
    result = run("add", "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def answer(*args: str) -> dict[str, Any]:
    result = run("ask", "--json", *args)
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_a_folder_with_name_clashes_and_bad_files(
    library_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("index.loaders.MAX_ARTICLE_BYTES", 5_000)
    folder = tmp_path / "archive"
    write(folder / "d1" / "report.txt", ALPHA)
    write(folder / "d2" / "report.txt", BETA)
    write(folder / "d2" / "доклад.txt", GAMMA)
    write(
        folder / "d2" / "delta.pdf",
        make_pdf(
            [
                ["Delta Mining annual review."],
                ["Delta Mining hired 350 new workers in Perth last year."],
            ]
        ),
    )
    bad = {
        "empty.txt": ("", "is empty"),
        "nul.txt": (b"\x00" * 100, "is binary, not text"),
        "renamed.txt": (bytes(range(256)) * 4, "is binary, not text"),
        "latin.txt": ("Le café a fermé.".encode("latin-1"), "is not UTF-8 text"),
        "scan.pdf": (make_pdf([[]]), "has no text layer"),
        "front.html": ((PAGES / "index_page.html").read_text(), "has no article text"),
        "huge.txt": ("Words and more words. " * 300, "is larger than 20 MB"),
    }
    for name, (content, _) in bad.items():
        write(folder / "bad" / name, content)

    status, report = added(str(folder), str(tmp_path / "missing.txt"))
    assert status == 1  # some were skipped; the others are indexed all the same
    by_target = {Path(f["target"]).name: f for f in report["files"]}
    ids = {f["target"]: f.get("id") for f in report["files"]}
    assert ids[str(folder / "d1" / "report.txt")] == "report"  # first found keeps the name
    assert ids[str(folder / "d2" / "report.txt")] == "report-2"
    assert {f["id"] for f in report["files"] if f["status"] == "indexed"} == {
        "report",
        "report-2",
        "доклад",
        "delta",
    }
    for name, (_, reason) in bad.items():
        assert by_target[name]["status"] == "skipped" and reason in by_target[name]["reason"]
    assert "does not exist" in by_target["missing.txt"]["reason"]
    assert (report["indexed"], report["skipped"]) == (4, 8)

    listed = json.loads(run("list", "--json").stdout)
    assert {row["id"] for row in listed} == {"deepseek", "report", "report-2", "доклад", "delta"}
    assert all(
        list(row) == ["id", "title", "sentences", "source", "published", "added"] for row in listed
    )

    # The same files again: nothing to do. One changed: updated in place, under its id.
    assert added(str(folder / "d1"), str(folder / "d2"))[1]["unchanged"] == 4
    write(folder / "d1" / "report.txt", ALPHA.replace("2001", "2003"))
    status, report = added(str(folder / "d1" / "report.txt"))
    assert status == 0 and report["files"][0] == {
        "target": str(folder / "d1" / "report.txt"),
        "status": "updated",
        "id": "report",
        "title": "report",
    }
    assert answer("When was Alpha Corp founded?")["short_answer"] == "2003"

    # Limited to one article, the answer comes from it; an unknown id is a one-line error.
    beta = answer("Who founded the company?", "--doc", "report-2")
    assert beta["short_answer"] == "Tom Brown"
    assert {c["document"] for c in beta["citations"]} == {"report-2"}
    unknown = run("ask", "Who founded it?", "--doc", "nope")
    assert unknown.exit_code == 1 and "no article 'nope'" in unknown.stderr

    # A PDF citation names its page.
    hired = answer("How many workers did Delta Mining hire?", "--doc", "delta")
    assert hired["citations"][0]["page"] == 2
    assert "page 2, paragraph" in run("ask", "How many workers did Delta Mining hire?").stdout

    removed = run("remove", "report", "report-2", "nope")
    assert removed.exit_code == 1
    assert removed.stdout == "report: removed\nreport-2: removed\n"
    assert "no document 'nope'" in removed.stderr
    assert {row["id"] for row in json.loads(run("list", "--json").stdout)} == {
        "deepseek",
        "доклад",
        "delta",
    }


def test_links_and_two_articles_that_disagree(library_home: Path, tmp_path: Path) -> None:
    with news_site() as site:
        status, report = added(f"{site}/old-link")
        assert status == 0
        assert report["files"][0]["id"] == "port-strike-ends"
        assert added(f"{site}/news/port-strike-ends.aspx")[1]["unchanged"] == 1  # same page
        status, report = added(f"{site}/gone", f"{site}/logo.png", f"{site}/news/library")
        assert status == 1 and report["indexed"] == 1 and report["skipped"] == 2
    listed = {row["id"]: row for row in json.loads(run("list", "--json").stdout)}
    assert listed["port-strike-ends"]["source"] == (
        "https://harbourtimes.example/news/port-strike-ends"
    )
    assert listed["port-strike-ends"]["published"] == "2024-03-14"
    pay = answer("What pay rise did the dock workers accept?")
    assert "6.5 percent" in pay["answer"]
    assert pay["citations"][0]["title"] == "Port strike ends after nine days"

    # Two articles give different figures for the same thing: the answer shows and cites both.
    write(tmp_path / "wire.txt", WIRE)
    write(tmp_path / "local.txt", LOCAL)
    assert added(str(tmp_path / "wire.txt"), str(tmp_path / "local.txt"))[0] == 0
    cost = answer("How much will Orion Motors spend on the battery plant?")
    assert "$2.1 billion" in cost["answer"] and "$2.5 billion" in cost["answer"]
    assert {(c["document"], c["title"]) for c in cost["citations"]} == {
        ("wire", "Orion Motors to build battery plant in Ohio"),
        ("local", "Columbus lands Orion battery factory"),
    }


def test_an_explicit_id_and_add_usage(library_home: Path, tmp_path: Path) -> None:
    path = write(tmp_path / "story.md", "# Gamma trains\n\n" + GAMMA)
    result = run("add", str(path), "--id", "Gamma Story")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == f"{path}: indexed as gamma-story (Gamma trains)"
    both = run("add", str(path), str(path), "--id", "x")
    assert both.exit_code == 2 and "--id names one article" in both.stderr

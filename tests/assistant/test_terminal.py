"""Hostile text from an article never reaches the terminal as control characters."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistant.cli import cli
from assistant.terminal import json_line, visible

KINDS = {
    "OSC title": "\x1b]0;pwned\x07",
    "OSC 52 clipboard": "\x1b]52;c;cGF5bG9hZA==\x07",
    "OSC 8 link": "\x1b]8;;http://evil.example\x1b\\here\x1b]8;;\x1b\\",
    "clear screen": "\x1b[2J",
    "cursor move": "\x1b[5A",
    "colour": "\x1b[31m",
    "backspace": "\b\b\b",
    "C1 CSI": "\x9b31m",
}
SENTENCE = (
    "Acme Corp earned $9 million in 2020, "
    + " and ".join(f"{name} {sequence}" for name, sequence in KINDS.items())
    + " stayed in its books."
)
QUESTION = "How much did Acme Corp earn in 2020?"


def raw_controls(text: str) -> set[str]:
    return {c for c in text if unicodedata.category(c) == "Cc" and c not in "\n"}


@pytest.fixture(scope="module")
def hostile_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("hostile")
    article = home.parent / "acme.txt"
    article.write_text(
        f"Acme results {KINDS['OSC title']}{KINDS['C1 CSI']}\n\n{SENTENCE}\n"
        "Acme Corp is based in Ohio and makes industrial pumps for farms and mines.\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASSISTANT_HOME", str(home))
        patch.delenv("ASSISTANT_CHROMA_URL", raising=False)
        added = CliRunner().invoke(cli, ["add", str(article)])
        assert added.exit_code == 0, added.output
        yield home


def run(home: Path, *args: str, input: str | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, env={"ASSISTANT_HOME": str(home)})


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_command_shows_escapes_instead_of_obeying_them(hostile_home: Path, kind: str) -> None:
    outputs = {
        "ask": run(hostile_home, "ask", QUESTION),
        "chat": run(hostile_home, "chat", input=f"{QUESTION}\n/sources\n"),
        "list": run(hostile_home, "list"),
        "add": run(hostile_home, "add", str(hostile_home.parent / "acme.txt")),
        "error": run(hostile_home, "ask", QUESTION, "--doc", "nope" + KINDS[kind]),
    }
    for command, result in outputs.items():
        assert not raw_controls(result.stdout + result.stderr), command
    assert visible(KINDS[kind]) in outputs["chat"].stdout  # shown, so a reader can tell
    assert visible(KINDS[kind]) in outputs["error"].stderr


def test_json_escapes_every_control_character(hostile_home: Path) -> None:
    for result in (
        run(hostile_home, "ask", QUESTION, "--json"),
        run(hostile_home, "chat", "--json", input=QUESTION + "\n"),
        run(hostile_home, "list", "--json"),
    ):
        assert not raw_controls(result.stdout)
        assert all(ord(c) >= 0x20 for c in result.stdout.strip() if c not in "\n")
    answer = json.loads(run(hostile_home, "ask", QUESTION, "--json").stdout)
    quoted = {c["text"] for c in answer["citations"]}
    assert SENTENCE in quoted  # escaped in transit, the stored sentence itself on decoding


def test_visible_and_json_line() -> None:
    assert visible("a\x1b[2Jb\bc\x9bd\u202ee\tf\ng") == "a\\x1b[2Jb\\x08c\\x9bd\\u202ee\tf\ng"
    line = json_line({"t": "\x1b\x9b\u2028\x7f"})
    assert line == '{"t": "\\u001b\\u009b\\u2028\\u007f"}'
    assert json.loads(line) == {"t": "\x1b\x9b\u2028\x7f"}

"""Bad bytes, an empty index, a server that never answers, and a private home: one line each."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration  # the real model or a real server

ASSISTANT = str(Path(sys.executable).parent / "assistant")


def run(
    home: Path, *args: str, stdin: bytes = b"", **extra: str
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "ASSISTANT_HOME": str(home), "ANONYMIZED_TELEMETRY": "False", **extra}
    if "ASSISTANT_CHROMA_URL" not in extra:
        env.pop("ASSISTANT_CHROMA_URL", None)
    return subprocess.run([ASSISTANT, *args], env=env, input=stdin, capture_output=True)


def test_bytes_that_are_not_utf8_get_one_line_and_the_chat_goes_on(bundled_home: Path) -> None:
    asked = subprocess.run(
        [ASSISTANT.encode(), b"ask", b"Who \xff\xfe founded it?"],
        env={**os.environ, "ASSISTANT_HOME": str(bundled_home)},
        capture_output=True,
    )
    assert asked.returncode == 1
    assert asked.stderr == (
        b"Error: the question is not valid UTF-8 text; type it again or set your terminal "
        b"to UTF-8.\n"
    )
    chat = run(bundled_home, "chat", "--json", stdin=b"\xff\xfe\xfd?\nWho founded DeepSeek?\n")
    assert chat.returncode == 0, chat.stderr
    first, second = (json.loads(line) for line in chat.stdout.splitlines())
    assert "not valid UTF-8" in first["error"]
    assert second["short_answer"] == "Liang Wenfeng"


def test_an_empty_index_says_how_to_add_an_article(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert run(home, "remove", "deepseek").returncode == 0
    asked = run(home, "ask", "Who founded DeepSeek?", "--json")
    answer = json.loads(asked.stdout)
    assert (answer["kind"], answer["answered"]) == ("no_articles", False)
    assert "assistant add" in answer["answer"]
    chat = run(home, "chat", "--json", stdin=b"Who?\nWhat?\n")
    assert [json.loads(line)["kind"] for line in chat.stdout.splitlines()] == ["no_articles"] * 2


def test_a_chroma_server_that_never_answers_is_one_line_within_the_timeout(
    tmp_path: Path,
) -> None:
    with socket.socket() as silent:  # accepts connections, never replies
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        result = run(
            tmp_path / "home",
            "ask",
            "Who founded DeepSeek?",
            ASSISTANT_CHROMA_URL=url,
            ASSISTANT_CHROMA_TIMEOUT="2",
        )
    assert time.monotonic() - started < 15
    assert result.returncode == 1
    assert result.stderr.decode() == (
        f"Error: the Chroma server at {url} did not answer within 2 s; check that it runs "
        "(`chroma run`), raise ASSISTANT_CHROMA_TIMEOUT, or unset ASSISTANT_CHROMA_URL.\n"
    )


def test_the_home_is_private_whatever_the_umask(tmp_path: Path) -> None:
    home = tmp_path / "home"
    old = os.umask(0o022)
    try:
        assert run(home, "chat", stdin=b"Who founded DeepSeek?\n").returncode == 0
    finally:
        os.umask(old)
    modes = {path: stat.S_IMODE(path.stat().st_mode) for path in [home, *home.rglob("*")]}
    assert len(modes) > 5
    assert all(mode == (0o700 if path.is_dir() else 0o600) for path, mode in modes.items()), {
        str(p): oct(m) for p, m in modes.items()
    }

"""The `assistant` command: transcripts, JSON lines, exit codes and one-line errors."""

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from assistant.cli import cli

from ..conftest import DATA


@pytest.fixture
def run(bundled_home: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ASSISTANT_HOME", str(bundled_home))
    monkeypatch.delenv("ASSISTANT_CHROMA_URL", raising=False)

    def invoke(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return CliRunner().invoke(cli, list(args), input=input)

    return invoke


def test_help_imports_no_heavy_module() -> None:
    code = (
        "import sys; from assistant.cli import cli\n"
        "try:\n    cli(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'transformers', 'chromadb', 'sentence_transformers',"
        " 'langchain_core', 'numpy') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "Usage:" in out
    assert out.strip().endswith("HEAVY []")


def test_a_question_imports_no_torch_nor_chromadb_s_client(bundled_home: Path) -> None:
    """The answer path runs on onnxruntime: neither torch nor transformers is loaded. Over an
    existing index it speaks to Chroma's engine, not through chromadb's Python client."""
    code = (
        "import sys; from assistant.cli import cli\n"
        "try:\n    cli(['ask', '--json', 'Who founded DeepSeek?'])\nexcept SystemExit:\n    pass\n"
        "heavy = ('torch', 'transformers', 'sentence_transformers', 'chromadb')\n"
        "heavy = [m for m in heavy if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "ASSISTANT_HOME": str(bundled_home)},
    ).stdout
    assert '"short_answer": "Liang Wenfeng"' in out
    assert out.strip().endswith("HEAVY []")


# A command that answers, registers an exit handler (as a tracer does), and ends as asked.
_ENDING = """
import atexit, sys, click
from assistant.cli import cli, main

class Noisy:
    def __del__(self):
        print("torn down")

kept = Noisy()

@cli.command("ending")
@click.argument("how")
def ending(how):
    click.echo("answer")
    atexit.register(print, "flushed by the command's handler")
    if how == "crash":
        raise RuntimeError("crash")
    sys.exit(int(how))

sys.argv = ["assistant", "ending", sys.argv[1]]
main()
"""


@pytest.mark.parametrize("status", [0, 3])
def test_a_finished_command_ends_with_its_status_after_its_exit_handlers(status: int) -> None:
    """The process skips the teardown of its modules' objects, and nothing else: output piped
    (so buffered) arrives, exit handlers run, the status is the command's."""
    out = subprocess.run(
        [sys.executable, "-c", _ENDING, str(status)], capture_output=True, text=True
    )
    assert out.returncode == status
    assert out.stdout == "answer\nflushed by the command's handler\n"


def test_a_crashed_command_ends_the_usual_way() -> None:
    out = subprocess.run([sys.executable, "-c", _ENDING, "crash"], capture_output=True, text=True)
    assert out.returncode == 1
    assert "RuntimeError: crash" in out.stderr
    assert out.stdout.splitlines() == ["answer", "flushed by the command's handler", "torn down"]


_ARENAS = """
import ctypes, sys, threading
from assistant.cli import cli, main

@cli.command("threads")
def threads():
    alive = threading.Barrier(8)
    held = []

    def allocate():
        held.append([bytearray(4096) for _ in range(100)])
        alive.wait()  # all eight at once, so that none takes over an arena another has left

    workers = [threading.Thread(target=allocate) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    ctypes.CDLL("libc.so.6").malloc_stats()  # an "Arena n:" block per arena, on stderr

sys.argv = ["assistant", "threads"]
{run}
"""


def _run_script(script: str, unset: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run a script in a fresh interpreter, without `unset` in its environment and with `env`."""
    environment = {k: v for k, v in os.environ.items() if k != unset} | env
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True
    )


def _arenas(run: str, **env: str) -> int:
    out = _run_script(_ARENAS.format(run=run), "MALLOC_ARENA_MAX", **env)
    return sum(line.startswith("Arena ") for line in out.stderr.splitlines())


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc arenas")
def test_the_command_s_threads_share_two_malloc_arenas_unless_the_user_sets_them() -> None:
    assert _arenas("cli()") > 4  # an arena a thread, as glibc gives by default
    assert _arenas("main()") == 2
    assert _arenas("main()", MALLOC_ARENA_MAX="4") == 4


_BLOCKS = """
import ctypes, sys
from assistant.cli import cli, main

class MallInfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in (
        "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
        "fordblks", "keepcost",
    )]

@cli.command("blocks")
def blocks():
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    big = bytearray(20 << 20)
    del big  # freed: by default glibc now serves blocks up to 20 MB from the heap
    kept = bytearray(2 << 20)
    print(libc.mallinfo2().hblkhd >= len(kept))  # the 2 MB block mapped on its own

sys.argv = ["assistant", "blocks"]
{run}
"""


def _mapped_on_its_own(run: str, **env: str) -> bool:
    out = _run_script(_BLOCKS.format(run=run), "MALLOC_MMAP_THRESHOLD_", **env)
    return out.stdout.strip() == "True"


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mmap threshold")
def test_the_command_s_large_blocks_go_back_to_the_system_unless_the_user_says_otherwise() -> None:
    assert not _mapped_on_its_own("cli()")  # glibc's default: the threshold rose to 20 MB
    assert _mapped_on_its_own("main()")
    assert not _mapped_on_its_own("main()", MALLOC_MMAP_THRESHOLD_=str(32 << 20))


def test_chat_transcript(run) -> None:  # type: ignore[no-untyped-def]
    script = (DATA / "chat_script.txt").read_text(encoding="utf-8")
    result = run("chat", input=script)
    assert result.exit_code == 0, result.output
    expected = (DATA / "chat_transcript.txt").read_text(encoding="utf-8")
    assert result.stdout == expected


def test_chat_json_lines(run) -> None:  # type: ignore[no-untyped-def]
    lines = [
        "Who founded DeepSeek?",
        "When was his company launched?",
        "/sources",
        "/reset",
        "",
        "/nope",
        "/quit",
        "never read",
    ]
    result = run("chat", "--json", input="\n".join(lines) + "\n")
    assert result.exit_code == 0
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(replies) == 7  # one per line up to and including /quit
    assert replies[0]["short_answer"] == "Liang Wenfeng" and replies[0]["answered"] is True
    assert replies[1]["query"] == "When was Liang Wenfeng's company launched?"
    assert replies[1]["short_answer"] == "2023"
    assert replies[2]["command"] == "sources" and replies[2]["citations"][0]["sentence"] == 8
    assert replies[3] == {"command": "reset"}
    assert replies[4] == {"error": "the question is empty; type a question about the article."}
    assert "unknown command /nope" in replies[5]["error"]
    assert replies[6] == {"command": "quit"}


def test_ask_json(run) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", "How much did it cost to train DeepSeek's model?", "--json")
    assert result.exit_code == 0
    answer = json.loads(result.stdout)
    assert answer["answered"] is True and answer["answerer"] == "extractive"
    assert answer["citations"][0]["sentence"] == 4
    assert answer["answer"].startswith("$6 million")


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "Error: the question is empty; type a question about the article."),
        ("  ", "Error: the question is empty; type a question about the article."),
        ("x" * 100_000, "Error: the question is 100,000 characters long; ask it in under 2,000."),
        (
            "What\x07 now?",
            "Error: the question contains control characters (\\x07); remove them and ask again.",
        ),
    ],
)
def test_bad_questions_exit_1_with_one_line(run, question: str, message: str) -> None:  # type: ignore[no-untyped-def]
    result = run("ask", question)
    assert result.exit_code == 1
    assert result.stderr == message + "\n"


def test_usage_error_exits_2(run) -> None:  # type: ignore[no-untyped-def]
    assert run("ask").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_home_that_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.write_text("oops")
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    result = CliRunner().invoke(cli, ["ask", "Who founded DeepSeek?"])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: ASSISTANT_HOME={home} is a file, not a directory; "
        "point ASSISTANT_HOME at a directory.\n"
    )
    assert home.read_text() == "oops"


def test_index_built_with_another_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from index.ingest import bundled_article
    from tests.index.test_store import add, open_corpus

    home = tmp_path / "home"
    add(open_corpus(home), bundled_article())
    monkeypatch.setenv("ASSISTANT_HOME", str(home))
    result = CliRunner().invoke(cli, ["ask", "Who founded DeepSeek?"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "built with embedding model 'fake-embedding'" in result.stderr
    assert "run `assistant rebuild`" in result.stderr
    assert len(open_corpus(home).sentences()) == 11  # nothing was damaged
    rebuilt = CliRunner().invoke(cli, ["rebuild"])  # the fix the message names
    assert rebuilt.exit_code == 0 and rebuilt.stdout == "rebuilt: 1 article(s)\n"
    asked = CliRunner().invoke(cli, ["ask", "Who founded DeepSeek?", "--json"])
    assert json.loads(asked.stdout)["short_answer"] == "Liang Wenfeng"


def test_add_list_remove(home_env: Path, tmp_path: Path) -> None:
    article = tmp_path / "chips.md"
    article.write_text(
        "# Chip shortage\n\nTSMC raised prices by 20% in March. Buyers balked.\n", encoding="utf-8"
    )
    runner = CliRunner()
    added = runner.invoke(cli, ["add", str(article)])
    assert added.exit_code == 0, added.output
    assert added.stdout.splitlines() == [
        f"{article}: indexed as chips (Chip shortage)",
        "1 indexed, 0 updated, 0 unchanged, 0 skipped",
    ]
    assert "Indexing the bundled article" in added.stderr  # the first command to need the index
    assert runner.invoke(cli, ["add", str(article)]).stdout.startswith(
        f"{article}: unchanged as chips (Chip shortage)\n"
    )
    listed = runner.invoke(cli, ["list"]).stdout.splitlines()
    assert [line.split()[:2] for line in listed] == [
        ["ID", "SENTENCES"],
        ["chips", "3"],
        ["deepseek", "11"],
    ]
    assert listed[1].endswith(f"Chip shortage  {article}")
    answer = json.loads(
        runner.invoke(cli, ["ask", "By how much did TSMC raise prices?", "--json"]).stdout
    )
    assert answer["citations"][0]["document"] == "chips"
    assert runner.invoke(cli, ["remove", "chips"]).stdout == "chips: removed\n"
    missing = runner.invoke(cli, ["remove", "chips"])
    assert missing.exit_code == 1
    assert missing.stderr == "Error: no document 'chips' in the index; see `assistant list`.\n"


def test_a_bad_file_is_skipped_and_the_rest_indexed(home_env: Path, tmp_path: Path) -> None:
    good, empty = tmp_path / "good.txt", tmp_path / "empty.txt"
    good.write_text("A real sentence.", encoding="utf-8")
    empty.write_text("  \n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["add", str(good), str(empty)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{good}: indexed as good (good)",
        f"{empty}: skipped: is empty; add an article with some text.",
        "1 indexed, 0 updated, 0 unchanged, 1 skipped",
    ]


def test_public_api_is_pinned() -> None:
    import assistant

    assert sorted(assistant.__all__) == [
        "Answer",
        "Assistant",
        "AssistantError",
        "BadQuestion",
        "Citation",
        "Turn",
    ]
    assert list(json.loads(assistant.Answer("q", "a", False, (), "x").to_json())) == [
        "question",
        "answer",
        "answered",
        "citations",
        "answerer",
        "query",
        "short_answer",
        "kind",
        "notices",
        "unsupported",
    ]

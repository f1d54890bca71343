"""The `assistant` command. Only click is imported at start-up: `--help` stays instant.

Errors meant for users (AssistantError, ArticleIndexError) become `Error: ...` on stderr with exit
status 1; usage errors exit 2 (click's own).
"""

from __future__ import annotations

import functools
import io
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from assistant.core import Assistant, Progress

F = TypeVar("F", bound=Callable[..., Any])


def _user_errors(function: F) -> F:
    """Show the assistant's own errors as one line and exit 1, never a traceback."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from assistant.errors import USER_ERRORS

        try:
            return function(*args, **kwargs)
        except USER_ERRORS as exc:
            raise click.ClickException(_visible(str(exc))) from exc

    return wrapper  # type: ignore[return-value]


def _visible(text: str) -> str:
    from assistant.terminal import visible

    return visible(text)


def _say(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print text that may hold an article's words: its control characters shown, not obeyed."""
    click.echo(_visible(text), err=err, nl=nl)


def _open(llm: str | None = None, *, preload: bool = False) -> Assistant:
    from assistant.core import Assistant

    return Assistant.open(llm=llm, notify=lambda message: _say(message, err=True), preload=preload)


_doc_option = click.option(
    "--doc",
    "documents",
    metavar="ID",
    multiple=True,
    help="Answer from this article only (repeat for several; ids as in `assistant list`).",
)

_llm_option = click.option(
    "--llm",
    metavar="PROVIDER:MODEL",
    default=None,
    help="A chat model to write answers (overrides ASSISTANT_LLM), e.g. openai:gpt-4o-mini, "
    "ollama:llama3.2 or llamacpp:/path/model.gguf.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="article-assistant")
def cli() -> None:
    """Ask questions about news articles; every answer cites the sentences it rests on.

    The index lives in ASSISTANT_HOME (default: your user data directory). The bundled article
    is indexed the first time it is needed.
    """


@cli.command()
@click.option(
    "--json", "as_json", is_flag=True, help="Read one message a line, write one JSON object a line."
)
@_doc_option
@_llm_option
@_user_errors
def chat(as_json: bool, documents: tuple[str, ...], llm: str | None) -> None:
    """Chat about the indexed articles; follow-up questions use the conversation so far."""
    from assistant.chat import Conversation, run_chat, run_json_chat

    # Bytes that are not UTF-8 reach the question check, which answers them with one line.
    if isinstance(sys.stdin, io.TextIOWrapper):
        sys.stdin.reconfigure(errors="surrogateescape")
    interactive = not as_json and sys.stdin.isatty() and sys.stdout.isatty()
    if not interactive:
        assistant = _open(llm)
        conversation = Conversation(assistant.ask, assistant.stream)
        conversation.documents = documents
        if as_json:
            run_json_chat(conversation, sys.stdin, lambda line: _say(line))
            return
        assistant.ensure_index()
        run_chat(
            conversation,
            sys.stdin,
            lambda text: _say(text + "\n"),
            write_partial=lambda text: _say(text, nl=False),
        )
        return
    # At a terminal the prompt comes first; the models and the index load while the user types.
    from concurrent.futures import ThreadPoolExecutor

    from assistant.config import Settings
    from assistant.core import check_home, indexed_titles

    settings = Settings.from_env(llm=llm)
    check_home(settings)  # a bad ASSISTANT_HOME is an error now, not at the first question
    titles = indexed_titles(settings, documents)
    topic = ", ".join(f"“{t}”" for t in titles) if titles else "the bundled article"
    _say(f"Ask about {topic}.\nType /help for commands, Ctrl-D to leave.")
    loading = ThreadPoolExecutor(max_workers=1).submit(_open_warm, llm)
    conversation = Conversation(
        lambda q, h, d: loading.result().ask(q, h, d),
        lambda q, h, d: loading.result().stream(q, h, d),
    )
    conversation.documents = documents
    run_chat(
        conversation,
        _prompt_lines(settings.home),
        lambda text: _say(text + "\n"),
        write_partial=lambda text: _say(text, nl=False),
    )


def _open_warm(llm: str | None) -> Assistant:
    assistant = _open(llm)
    assistant.warm_up()
    return assistant


def _prompt_lines(home: Path) -> Iterator[str]:
    """Lines typed at a prompt with editing and history, until Ctrl-D."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory
    from prompt_toolkit.patch_stdout import patch_stdout

    try:
        home.mkdir(parents=True, exist_ok=True)
        history: Any = FileHistory(str(home / "chat_history"))
    except OSError:
        history = InMemoryHistory()
    session: PromptSession[str] = PromptSession(history=history)
    while True:
        try:
            # Messages from the loading thread print above the prompt, not through it.
            with patch_stdout():
                line = session.prompt("› ")
        except KeyboardInterrupt:
            continue  # Ctrl-C clears the line, as in a shell
        except EOFError:
            return
        yield line


@cli.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Print the answer as one JSON object.")
@_doc_option
@_llm_option
@_user_errors
def ask(question: str, as_json: bool, documents: tuple[str, ...], llm: str | None) -> None:
    """Answer one QUESTION."""
    from assistant.render import render_answer

    answer = _open(llm, preload=True).ask(question, documents=documents)
    _say(answer.to_json() if as_json else render_answer(answer))


@cli.command()
@click.argument("targets", nargs=-1, required=True)
@click.option(
    "--glob", metavar="PATTERN", help="In folders, only the files matching PATTERN, e.g. '*.html'."
)
@click.option("--id", "doc_id", metavar="ID", help="The id to give the article (one target only).")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as one JSON object.")
@_user_errors
def add(targets: tuple[str, ...], glob: str | None, doc_id: str | None, as_json: bool) -> None:
    """Index articles from files, folders and http(s) links (.txt, .md, .html, .pdf).

    Folders are walked recursively. An article's id is its file name, with a suffix when another
    article has it. Each target prints one line: indexed, updated, unchanged, or skipped with the
    reason; the exit status is 1 if any was skipped.
    """
    from assistant.terminal import json_line

    if doc_id and len(targets) > 1:
        raise click.UsageError("--id names one article; give one path or link with it.")
    assistant = _open()
    with _progress() as progress:
        outcomes = assistant.add_sources(targets, glob=glob, doc_id=doc_id, progress=progress)
    counts = {status: sum(o.status == status for o in outcomes) for status in _STATUSES}
    if as_json:
        files_json = [{k: v for k, v in vars(o).items() if v or k == "status"} for o in outcomes]
        _say(json_line({"files": files_json, **counts}))
    else:
        for o in outcomes:
            _say(_outcome_line(o))
        _say(", ".join(f"{n} {status}" for status, n in counts.items()))
    if counts["skipped"]:
        raise SystemExit(1)


_STATUSES = ("indexed", "updated", "unchanged", "skipped")


def _outcome_line(outcome: Any) -> str:
    from assistant.terminal import one_line

    target = one_line(outcome.target)
    if outcome.status == "skipped":
        return f"{target}: skipped: {one_line(outcome.reason)}"
    return f"{target}: {outcome.status} as {outcome.id} ({one_line(outcome.title)})"


@contextmanager
def _progress() -> Iterator[Callable[[Progress], None] | None]:
    """A progress bar on stderr (files, sentences, rate) when it is a terminal; else nothing."""
    if not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(unit="file", file=sys.stderr, leave=False, dynamic_ncols=True)

    def update(progress: Progress) -> None:
        bar.total = progress.files or None
        bar.n = progress.articles
        bar.set_postfix_str(f"{progress.sentences:,} sentences, {progress.rate:,.0f}/s")

    try:
        yield update
    finally:
        bar.close()


@cli.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of the articles.")
@_user_errors
def list_documents(as_json: bool) -> None:
    """List the indexed articles: id, sentences, publication date, when added, title, source."""
    from assistant.core import library
    from assistant.render import render_library
    from assistant.terminal import json_line

    rows = library(notify=lambda message: _say(message, err=True))
    if as_json:
        _say(json_line(rows))
    elif not rows:
        _say("No articles are indexed; add one with `assistant add PATH|DIR|URL`.")
    else:
        _say(render_library(rows))


@cli.command()
@click.argument("docs", nargs=-1, required=True)
@_user_errors
def remove(docs: tuple[str, ...]) -> None:
    """Remove the articles with these ids from the index."""
    from assistant.errors import UnknownDocument
    from assistant.terminal import one_line

    assistant = _open()
    failed = False
    for doc in docs:
        try:
            assistant.remove(doc)
        except UnknownDocument as exc:
            _say(f"Error: {one_line(str(exc))}", err=True)
            failed = True
            continue
        _say(f"{one_line(doc)}: removed")
    if failed:
        raise SystemExit(1)


@cli.command()
@_user_errors
def rebuild() -> None:
    """Re-index every article with the current model and splitter."""
    from assistant.core import rebuild_index

    articles = rebuild_index(notify=lambda message: _say(message, err=True))
    _say(f"rebuilt: {len(articles)} article(s)")


@cli.command(name="eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--split", default=None, help="Score only the questions of this split.")
@_llm_option
@_user_errors
def evaluate_command(file: Path, split: str | None, llm: str | None) -> None:
    """Score the assistant on a question set (JSON Lines) and list the failures.

    Each line: {"question": ..., "history": [...], "document": ..., "sentences": [n, ...],
    "short": [...], "type": ...} or {"question": ..., "unanswerable": true, "trap": ...}.
    The figures are broken down by question type and trap kind when the set labels them.
    """
    from assistant.evaluation import evaluate, load_cases

    cases = [c for c in load_cases(file) if split is None or c.split == split]
    if not cases:
        raise click.ClickException(f"{file} has no questions of split '{split}'; check --split.")
    report = evaluate(cases, _open(llm).ask)
    _say(report.render(f"{file.name}: {len(cases)} questions"))


@cli.command()
@click.option(
    "--http",
    "use_http",
    is_flag=True,
    help="Serve the Events API over HTTP (at /slack/events) instead of Socket Mode.",
)
@click.option("--port", default=3000, show_default=True, help="Port for --http.")
@click.option("--host", default="0.0.0.0", show_default=True, help="Address for --http.")
@_llm_option
@_user_errors
def slack(use_http: bool, port: int, host: str, llm: str | None) -> None:
    """Run the Slack bot: mention it or DM it; a thread is a conversation.

    Needs SLACK_BOT_TOKEN, and SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (--http).
    """
    import logging

    from assistant.config import SlackSettings
    from assistant.slack import RedactTokens, build_app, check_settings, run_socket_mode, serve_http

    handler = logging.StreamHandler()
    handler.addFilter(RedactTokens())
    logging.basicConfig(
        level=logging.INFO,
        handlers=[handler],
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    settings = SlackSettings.from_env()
    check_settings(settings, http=use_http)  # before loading any model
    assistant = _open(llm)
    assistant.warm_up()
    app = build_app(assistant, settings)
    if not use_http:
        run_socket_mode(app, settings.app_token or "")
        return
    server = serve_http(app, host=host, port=port)
    _say(f"Listening for Slack events on http://{host}:{port}/slack/events", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


def main() -> None:
    """Console-script entry point. It ends the process: call `cli` to run a command in one."""
    import atexit
    import os

    os.umask(0o077)  # whatever this process writes (index, mirror, chat history) is private
    _tune_malloc()
    outcome: list[int | str | None] = []
    # Registered first, so it runs last: every exit handler registered after it (a tracer's
    # flush) has run by then.
    atexit.register(_end_process, outcome)
    try:
        cli(prog_name="assistant")
    except SystemExit as done:  # click ends every command this way
        outcome.append(done.code)
        raise


def _tune_malloc() -> None:
    """Keep memory this process frees from staying with it, under glibc's malloc.

    - Two arenas for all threads, not up to eight a core. The encoder, Chroma's engine and the
      ingest each allocate on threads of their own; with an arena a thread, the memory one frees
      is left in its arena, not reused by the next. An add of a 5 MB file into the embedded index
      peaked at 354 MB with an arena a thread and 317 MB with two, in the same time.
    - Blocks of a megabyte or more always mapped on their own, and unmapped when freed. By
      default glibc raises that threshold to the size of each large block freed, up to 32 MB, so
      that later blocks that size come from the heap and stay there: hashing a 20 MB article's
      text left 19 MB behind for the rest of its add.
    A value the user set in the environment (MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_) is left
    to rule.
    """
    import os

    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        if "MALLOC_ARENA_MAX" not in os.environ:
            libc.mallopt(_M_ARENA_MAX, 2)
        if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
            libc.mallopt(_M_MMAP_THRESHOLD, 1 << 20)
    except (OSError, AttributeError):  # a C library other than glibc: nothing to tune
        pass


_M_ARENA_MAX = -8  # glibc's malloc.h
_M_MMAP_THRESHOLD = -3


def _end_process(outcome: list[int | str | None]) -> None:
    """End a finished command without freeing every imported module's objects one by one.

    That teardown took about 0.2 s of a 1.5 s question, most of it LangChain's pydantic models:
    time a one-shot command spends after its answer is out. A command that crashed (nothing in
    `outcome`) ends the usual way, its traceback intact.
    """
    import logging
    import os

    if not outcome:
        return
    code = outcome[0]
    status = code if isinstance(code, int) else 0 if code is None else 1
    logging.shutdown()  # registered before this handler, so it would run after it
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: Python's exit says 120
            status = status or 120
    os._exit(status)


if __name__ == "__main__":
    main()

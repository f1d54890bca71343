"""What `add` takes (paths, folders, links) turned into articles with ids that never collide.

`expand` walks folders for the supported kinds. `IdBook` gives each article its id: the one its
source (file path or canonical URL) already has, else its name when free, else the name with
the first free suffix (`report-2`). So the same file added again keeps its id ("unchanged", or
"updated" in place when its text changed), and a different article never overwrites another.
`--id` names the id outright. A failure to load one source is an Outcome, not an exception: the
batch goes on.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from index.errors import LoadError
from index.fetch import fetch_article, is_url
from index.loaders import EXTENSIONS, Article, load_article, slugify
from index.store import DocumentInfo
from index.text import clean_line

__all__ = ["IdBook", "Outcome", "Source", "Status", "expand", "listing", "load_all", "settle"]

Status = Literal["indexed", "updated", "unchanged", "skipped"]


@dataclass(frozen=True)
class Outcome:
    """What `add` did with one file or link."""

    target: str  # the path or link as given (or found in a folder)
    status: Status
    id: str = ""
    title: str = ""
    reason: str = ""  # why it was skipped


@dataclass(frozen=True)
class Source:
    """One file or link to load."""

    target: str

    def load(self, doc_id: str | None) -> Article:
        """The article it holds, or a LoadError."""
        if is_url(self.target):
            return fetch_article(self.target, doc_id=doc_id)
        return load_article(Path(self.target), doc_id=doc_id)


def expand(targets: Iterable[str], glob: str | None = None) -> Iterator[Source | Outcome]:
    """Each file or link in `targets`, folders walked recursively (sorted) for supported files.

    `glob` filters the files found in folders by their path below the folder (or their name).
    A folder with nothing to add is a skipped Outcome.
    """
    for target in targets:
        path = Path(target)
        if is_url(target) or not path.is_dir():
            yield Source(target)
            continue
        found = False
        for file in sorted(p for p in path.rglob("*") if p.is_file()):
            relative = file.relative_to(path).as_posix()
            if file.suffix.lower() not in EXTENSIONS or any(
                part.startswith(".") for part in file.relative_to(path).parts
            ):
                continue
            if glob and not (fnmatch.fnmatch(relative, glob) or fnmatch.fnmatch(file.name, glob)):
                continue
            found = True
            yield Source(str(file))
        if not found:
            kinds = ", ".join(sorted(EXTENSIONS))
            wanted = f" matching {glob}" if glob else ""
            yield Outcome(target, "skipped", reason=f"has no {kinds} files{wanted}")


class IdBook:
    """The ids in use, and which source holds each: hands out ids that never collide."""

    def __init__(self, documents: Iterable[DocumentInfo]) -> None:
        self._by_id = {d.id: d for d in documents}
        self._by_source = {d.source: d.id for d in self._by_id.values() if d.source}
        self._taken: set[str] = set(self._by_id)

    def assign(self, article: Article, explicit: str | None = None) -> tuple[Article, bool]:
        """The article under its id, and whether that id held an article before this run."""
        if explicit:
            doc_id = slugify(explicit)
        elif article.source in self._by_source:
            doc_id = self._by_source[article.source]
        else:
            doc_id = article.id
            suffix = 2
            while doc_id in self._taken:
                doc_id = f"{article.id}-{suffix}"
                suffix += 1
        self._taken.add(doc_id)
        self._by_source[article.source] = doc_id
        return replace(article, id=doc_id), doc_id in self._by_id


def load_all(
    sources: Iterable[Source | Outcome],
    book: IdBook,
    outcomes: list[Outcome],
    *,
    explicit_id: str | None = None,
) -> Iterator[Article]:
    """Load each source in turn, lazily; failures become skipped Outcomes in `outcomes`.

    An article yielded gets its Outcome once indexed (see `settle`); `outcomes` keeps the order
    of the sources.
    """
    for item in sources:
        if isinstance(item, Outcome):
            outcomes.append(item)
            continue
        try:
            article = item.load(explicit_id)
        except LoadError as exc:
            outcomes.append(Outcome(item.target, "skipped", reason=_reason(str(exc), item.target)))
            continue
        article, existed = book.assign(article, explicit_id)
        # Placeholder until the ingest reports: "updated" or "indexed" if it writes anything.
        outcomes.append(
            Outcome(item.target, "updated" if existed else "indexed", article.id, article.title)
        )
        yield article


def settle(outcomes: list[Outcome], done: Iterable[tuple[Article, bool]]) -> list[Outcome]:
    """The outcomes with "unchanged" where the ingest found the very same text indexed."""
    unchanged = {article.id for article, indexed in done if not indexed}
    return [
        replace(o, status="unchanged") if o.status != "skipped" and o.id in unchanged else o
        for o in outcomes
    ]


def listing(documents: Iterable[DocumentInfo]) -> list[dict[str, Any]]:
    """The articles as `list --json` prints them: id, title, sentences, source, published, added."""
    return [
        {
            "id": d.id,
            "title": clean_line(d.title),
            "sentences": d.sentences,
            "source": clean_line(d.source, 2000),
            "published": d.published,
            "added": _iso(d.added),
        }
        for d in documents
    ]


def _iso(microseconds: int) -> str:
    if not microseconds:
        return ""
    moment = datetime.fromtimestamp(microseconds / 1e6, tz=UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _reason(message: str, target: str) -> str:
    """The error without the target's name in front: the line already starts with it."""
    return message.removeprefix(target).strip() if message.startswith(target) else message

"""Read an article file (txt, md, html, pdf) into plain text plus a title and a document id.

The text returned here is the article's text of record: sentence offsets point into it, and it is
stored in the index beside the sentences, so citations can always be checked against it.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from index.errors import LoadError

__all__ = ["Article", "article_from_text", "load_article", "slugify"]

MAX_ARTICLE_BYTES = 20_000_000


@dataclass(frozen=True)
class Article:
    """An article's text of record and how to name it."""

    id: str
    title: str
    text: str
    source: str

    @cached_property
    def digest(self) -> str:
        """A short content hash: sentence ids carry it so a changed article never mixes versions."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]


def slugify(name: str) -> str:
    """A document id from a file name: lower case ASCII letters, digits and dashes."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug or "article"


def article_from_text(text: str, *, doc_id: str, title: str = "", source: str = "") -> Article:
    """An Article from text already in memory."""
    text = _normalize(text)
    if not text.strip():
        raise LoadError(f"{source or doc_id} has no text to index; add an article with some text.")
    return Article(
        id=slugify(doc_id), title=title or _title_from(text, doc_id), text=text, source=source
    )


def load_article(path: Path, *, doc_id: str | None = None) -> Article:
    """Load one article file; the document id defaults to the file's name without extension."""
    if not path.is_file():
        raise LoadError(f"{path} is not a file; give the path of a .txt, .md, .html or .pdf file.")
    if path.stat().st_size > MAX_ARTICLE_BYTES:
        raise LoadError(f"{path} is larger than 20 MB; split it into articles and add those.")
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        text, title = _read_pdf(path), ""
    else:
        try:
            raw = path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise LoadError(f"{path} is not UTF-8 text; convert it to UTF-8 and add it again.")
        except OSError as exc:
            raise LoadError(f"cannot read {path}: {exc.strerror}; check its permissions.")
        if suffix in (".html", ".htm"):
            text, title = _html_text(raw)
        elif suffix in (".md", ".markdown"):
            text, title = _markdown_text(raw)
        else:
            text, title = raw, ""
    name = doc_id or path.stem
    return article_from_text(text, doc_id=name, title=title, source=str(path))


def _normalize(text: str) -> str:
    # Offsets are into this normalized text; \r\n would otherwise count twice.
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _title_from(text: str, fallback: str) -> str:
    first_line = text.strip().split("\n", 1)[0].strip()
    if first_line and len(first_line) <= 120 and first_line[-1] not in ".!?":
        return first_line
    return fallback.replace("-", " ").replace("_", " ").strip() or fallback


def _markdown_text(raw: str) -> tuple[str, str]:
    title_match = re.search(r"^#\s+(.+)$", raw, re.MULTILINE)
    text = re.sub(r"^#{1,6}\s+", "", raw, flags=re.MULTILINE)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links keep their words
    text = re.sub(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    return text, title_match.group(1).strip() if title_match else ""


class _HTMLText(HTMLParser):
    _SKIP: ClassVar[set[str]] = {
        "script",
        "style",
        "nav",
        "footer",
        "header",
        "aside",
        "noscript",
        "form",
    }
    _BLOCK: ClassVar[set[str]] = {
        "p",
        "div",
        "br",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "tr",
        "article",
        "section",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skipping = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag == "title":
            self._in_title = True
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag == "title":
            self._in_title = False
        elif tag in self._BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def _html_text(raw: str) -> tuple[str, str]:
    parser = _HTMLText()
    parser.feed(raw)
    lines = (line.strip() for line in "".join(parser.parts).split("\n"))
    return "\n".join(line for line in lines if line), parser.title.strip()


def _read_pdf(path: Path) -> str:
    try:
        from pypdf import PdfReader  # optional: only PDF articles need it
    except ImportError:
        raise LoadError("reading PDF needs pypdf; run: pip install 'article-assistant[pdf]'")
    try:
        pages = [page.extract_text() or "" for page in PdfReader(str(path)).pages]
    except Exception as exc:  # pypdf raises many types for damaged files
        raise LoadError(f"cannot read {path} as PDF ({type(exc).__name__}); check the file.")
    return "\n\n".join(pages)

"""Read an article (txt, md, html, pdf; from a file or fetched bytes) into its text of record.

The text returned here is the article's text of record: sentence offsets point into it, and it is
stored in the index beside the sentences, so citations can always be checked against it. The
kind of a file comes from its extension, or its content type when fetched, or its first bytes.
HTML goes through trafilatura, which keeps the article's body and drops the page's chrome, and
reads the title, author, date and canonical URL. A PDF is read page by page; `Article.pages`
records where each page starts, so a citation can name its page.

Every refusal is a LoadError of one line that names the fix; nothing here touches the index.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from index.errors import LoadError
from index.text import clean_line

__all__ = [
    "EXTENSIONS",
    "MAX_ARTICLE_BYTES",
    "Article",
    "article_from_text",
    "kind_of",
    "load_article",
    "parse_article",
    "slugify",
]

MAX_ARTICLE_BYTES = 20_000_000
TITLE_LIMIT = 200
EXTENSIONS = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
}
CONTENT_TYPES = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
}
# Elements a browser never shows as the article's text.
_HIDDEN_TAGS = ("template", "iframe", "noscript", "object", "embed", "svg", "canvas", "dialog")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Words in the longest line of an article body, at least: less is a page of links.
_BODY_WORDS = 8
# Beyond this share of control characters, "text" is a binary file under a text name.
_MAX_CONTROL_SHARE = 0.05


@dataclass(frozen=True)
class Article:
    """An article's text of record, how to name it, and what its source says about it."""

    id: str
    title: str
    text: str
    source: str
    author: str = ""
    published: str = ""  # ISO date, when the source gives one
    pages: tuple[int, ...] = field(default=())  # where each page starts in `text` (PDF)

    @cached_property
    def digest(self) -> str:
        """A short content hash: sentence ids carry it so a changed article never mixes versions."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    @property
    def version(self) -> str:
        """`id@digest`: names the sentences of this text of the article."""
        return f"{self.id}@{self.digest}"


def page_of(pages: tuple[int, ...], offset: int) -> int | None:
    """The 1-based page holding the character at `offset`, if the article has pages."""
    return bisect.bisect_right(pages, offset) if pages else None


def slugify(name: str) -> str:
    """A document id from a name: lower case letters, digits and dashes.

    Latin letters lose their accents ("Név" → "nev"); other scripts keep theirs ("доклад").
    """
    kept = []
    for char in unicodedata.normalize("NFC", name):
        base = unicodedata.normalize("NFKD", char)[0]
        kept.append(base if base.isascii() else char)
    slug = re.sub(r"[\W_]+", "-", "".join(kept).lower()).strip("-")
    return slug[:80].strip("-") or "article"


def kind_of(name: str, content_type: str = "", head: bytes = b"") -> str | None:
    """ "text", "markdown", "html" or "pdf": by content type, else extension, else first bytes."""
    media = content_type.split(";")[0].strip().lower()
    if media in CONTENT_TYPES:
        return CONTENT_TYPES[media]
    suffix = Path(name).suffix.lower()
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix]
    start = head.lstrip()[:512].lower()
    if start.startswith(b"%pdf-"):
        return "pdf"
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    if media and not media.startswith("text/"):
        return None  # a fetched image, archive or program
    return "text" if head else None


def article_from_text(
    text: str,
    *,
    doc_id: str,
    title: str = "",
    source: str = "",
    author: str = "",
    published: str = "",
    pages: tuple[int, ...] = (),
) -> Article:
    """An Article from text already in memory; the title and metadata are made one clean line."""
    text = _normalize(text)
    if not text.strip():
        raise LoadError(f"{source or doc_id} has no text to index; add an article with some text.")
    return Article(
        id=slugify(doc_id),
        title=clean_line(title, TITLE_LIMIT) or _title_from(text, doc_id),
        text=text,
        source=clean_line(source, 2000),
        author=clean_line(author, TITLE_LIMIT),
        published=clean_line(published, 40),
        pages=pages,
    )


def load_article(path: Path, *, doc_id: str | None = None) -> Article:
    """Load one article file; the document id defaults to the file's name without extension."""
    if not path.exists():
        raise LoadError(f"{path} does not exist; check the path.")
    if not path.is_file():
        raise LoadError(f"{path} is not a file; give a .txt, .md, .html or .pdf file or a folder.")
    if path.stat().st_size > MAX_ARTICLE_BYTES:
        raise LoadError(f"{path} is larger than 20 MB; split it into articles and add those.")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LoadError(f"cannot read {path}: {exc.strerror}; check its permissions.")
    kind = kind_of(path.name, head=data[:512])
    if kind is None:
        raise LoadError(f"{path} is not a .txt, .md, .html or .pdf file; convert it to one.")
    return parse_article(
        data, kind, name=doc_id or path.stem, source=str(path.resolve()), label=str(path)
    )


def parse_article(
    data: bytes,
    kind: str,
    *,
    name: str,
    source: str,
    label: str,
    charset: str | None = None,
) -> Article:
    """An Article from the bytes of a file or a fetched page of this kind.

    `label` names it in errors; `source` is recorded (an HTML page's canonical URL replaces it).
    """
    if not data.strip(b" \t\r\n\x0b\x0c"):
        raise LoadError(f"{label} is empty; add an article with some text.")
    meta: dict[str, Any] = {}
    pages: tuple[int, ...] = ()
    if kind == "pdf":
        text, pages, meta["title"] = _pdf_text(data, label)
    else:
        raw = _decode(data, label, charset)
        if kind == "html":
            text, meta = _html_article(raw, label, url=source if "://" in source else None)
        elif kind == "markdown":
            text, meta["title"] = _markdown_text(raw)
        else:
            text = raw
    return article_from_text(
        text,
        doc_id=name,
        title=meta.get("title") or "",
        # A fetched page is known by its canonical URL; a file stays known by its path.
        source=(meta.get("url") if "://" in source else None) or source,
        author=meta.get("author") or "",
        published=meta.get("date") or "",
        pages=pages,
    )


def _decode(data: bytes, label: str, charset: str | None) -> str:
    binary = f"{label} is binary, not text; add the article as .txt, .md, .html or .pdf."
    if b"\x00" in data:
        raise LoadError(binary)
    try:
        text = data.decode(charset or "utf-8-sig")
    except (UnicodeDecodeError, LookupError):
        raise LoadError(f"{label} is not UTF-8 text; convert it to UTF-8 and add it again.")
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\t\n\r\f")
    if controls > _MAX_CONTROL_SHARE * len(text):
        raise LoadError(binary)
    return text


def _normalize(text: str) -> str:
    # Offsets are into this normalized text; \r\n would otherwise count twice.
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _title_from(text: str, fallback: str) -> str:
    first_line = clean_line(text.strip().split("\n", 1)[0], TITLE_LIMIT + 1)
    if first_line and len(first_line) <= 120 and first_line[-1] not in ".!?":
        return first_line
    return clean_line(fallback.replace("-", " ").replace("_", " "), TITLE_LIMIT) or "untitled"


def _markdown_text(raw: str) -> tuple[str, str]:
    title_match = re.search(r"^#\s+(.+)$", raw, re.MULTILINE)
    text = re.sub(r"^#{1,6}\s+", "", raw, flags=re.MULTILINE)
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)  # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links keep their words
    text = re.sub(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    return text, title_match.group(1).strip() if title_match else ""


def _html_article(raw: str, label: str, url: str | None) -> tuple[str, dict[str, Any]]:
    """The page's article body and its metadata (title, author, date, canonical url)."""
    import lxml.html
    import trafilatura

    try:
        tree = lxml.html.document_fromstring(raw.encode("utf-8"), parser=_html_parser())
    except Exception:  # lxml raises several types for pages it cannot parse
        raise LoadError(f"{label} is not readable HTML; save the page again and add it.")
    for element in list(tree.iter()):
        if not isinstance(element.tag, str):
            continue
        hidden = (
            element.tag in _HIDDEN_TAGS
            or element.get("hidden") is not None
            or element.get("aria-hidden") == "true"
            or _HIDDEN_STYLE.search(element.get("style") or "")
        )
        if hidden and element.getparent() is not None:
            element.drop_tree()
    document: Any = trafilatura.bare_extraction(
        tree, url=url, with_metadata=True, include_comments=False
    )
    text = (document.text or "") if document is not None else ""
    # subtle: on a page of links (a home page, a section front) the extractor returns the link
    # texts; an article has at least one line that reads as a sentence.
    if document is None or not any(len(line.split()) >= _BODY_WORDS for line in text.split("\n")):
        raise LoadError(
            f"{label} has no article text (only the page's menus and links); "
            "add the article's own page."
        )
    meta = {
        "title": document.title or "",
        "author": document.author or "",
        "date": document.date or "",
        "url": document.url if document.url and "://" in document.url else "",
    }
    return text, meta


def _html_parser() -> Any:
    import lxml.html

    # Comments and processing instructions carry no article text.
    return lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


def _pdf_text(data: bytes, label: str) -> tuple[str, tuple[int, ...], str]:
    """The text of each page joined by blank lines, where each page starts, and the title."""
    import io
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its repairs are not the user's business
    try:
        reader = PdfReader(io.BytesIO(data))
        texts = [page.extract_text() or "" for page in reader.pages]
        title = str((reader.metadata.title if reader.metadata else None) or "")
    except Exception:  # pypdf raises many types for damaged files
        raise LoadError(f"cannot read {label} as PDF (the file is damaged); check the file.")
    if not any(t.strip() for t in texts):
        raise LoadError(
            f"{label} has no text layer (a scanned PDF?); run OCR on it and add the result."
        )
    starts, parts, offset = [], [], 0
    for text in texts:
        text = _normalize(text).strip()
        starts.append(offset)
        parts.append(text)
        offset += len(text) + 2
    return "\n\n".join(parts), tuple(starts), title

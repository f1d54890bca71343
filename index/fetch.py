"""Fetch an article from an http(s) link with httpx: bounded in time, redirects and size.

A page must arrive within `FETCH_TIMEOUT` seconds in all (a server that trickles bytes is cut off
too), in at most `MAX_REDIRECTS` redirects and `MAX_ARTICLE_BYTES` bytes, and be HTML, text or
PDF by its content type. Every refusal is a one-line LoadError.
"""

from __future__ import annotations

import time
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from index.errors import LoadError
from index.loaders import MAX_ARTICLE_BYTES, Article, kind_of, parse_article

if TYPE_CHECKING:
    import httpx

__all__ = ["FETCH_TIMEOUT", "MAX_REDIRECTS", "fetch_article", "is_url"]

FETCH_TIMEOUT = 20.0
MAX_REDIRECTS = 5
_USER_AGENT = "article-assistant/0.1 (+https://github.com/article-assistant)"


def is_url(target: str) -> bool:
    """Whether `target` is an http or https link rather than a path."""
    return target.lower().startswith(("http://", "https://"))


def fetch_article(
    url: str,
    *,
    doc_id: str | None = None,
    timeout: float = FETCH_TIMEOUT,
    transport: httpx.BaseTransport | None = None,
) -> Article:
    """The article at `url`; its source is the page's canonical URL (or the URL it ended at)."""
    import httpx

    if not urlparse(url).hostname:
        raise LoadError(f"{url} is not a link like https://example.com/story; check it.")
    client = httpx.Client(
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(timeout),
        headers={"User-Agent": _USER_AGENT},
        transport=transport,
    )
    try:
        with client, client.stream("GET", url) as response:
            data, kind = _read(response, url, time.monotonic() + timeout, timeout)
            final = str(response.url)
            charset = response.charset_encoding
    except httpx.TimeoutException:
        raise LoadError(f"{url} did not answer within {timeout:.0f} s; try again later.")
    except httpx.TooManyRedirects:
        raise LoadError(f"{url} redirects more than {MAX_REDIRECTS} times; check the link.")
    except httpx.HTTPError as exc:
        raise LoadError(
            f"cannot fetch {url} ({type(exc).__name__}); check the link and the network."
        )
    return parse_article(
        data, kind, name=doc_id or _name_from(final), source=final, label=url, charset=charset
    )


def _read(response: httpx.Response, url: str, deadline: float, timeout: float) -> tuple[bytes, str]:
    if response.status_code >= 400:
        raise LoadError(f"{url} answered HTTP {response.status_code}; check the link.")
    content_type = response.headers.get("content-type", "")
    path = urlparse(str(response.url)).path
    if content_type and kind_of(path, content_type, b"text") is None:
        media = content_type.split(";")[0].strip()
        raise LoadError(f"{url} is {media}, not HTML, text or PDF; link to the article itself.")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_ARTICLE_BYTES:
        raise LoadError(f"{url} is larger than 20 MB; save the article itself and add that.")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_ARTICLE_BYTES:
            raise LoadError(f"{url} is larger than 20 MB; save the article itself and add that.")
        if time.monotonic() > deadline:
            raise LoadError(f"{url} did not arrive within {timeout:.0f} s; try again later.")
        chunks.append(chunk)
    data = b"".join(chunks)
    kind = kind_of(path, content_type, data[:512])
    if kind is None:
        raise LoadError(f"{url} is not HTML, text or PDF; link to the article itself.")
    return data, kind


def _name_from(url: str) -> str:
    """An id for a page: its path's last part without extension, else its host."""
    parsed = urlparse(url)
    parts = [p for p in PurePosixPath(parsed.path).parts if p != "/"]
    if parts:
        return PurePosixPath(parts[-1]).stem or parts[-1]
    return parsed.hostname or "page"

from pathlib import Path

import pytest

from index.errors import LoadError
from index.loaders import article_from_text, load_article, slugify


def test_txt_keeps_text_and_names_by_file(tmp_path: Path) -> None:
    path = tmp_path / "My Story_2024.txt"
    path.write_text("Chips are scarce. Prices rose.\r\nSecond paragraph.", encoding="utf-8")
    article = load_article(path)
    assert article.id == "my-story-2024"
    assert article.text == "Chips are scarce. Prices rose.\nSecond paragraph."
    assert article.source == str(path)


def test_markdown_title_and_links(tmp_path: Path) -> None:
    path = tmp_path / "news.md"
    path.write_text("# Big news\n\nThe [company](http://x) grew **fast**.\n", encoding="utf-8")
    article = load_article(path)
    assert article.title == "Big news"
    assert "The company grew fast." in article.text
    assert "http" not in article.text


def test_html_drops_scripts_and_keeps_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Chip war</title><script>var x = 1;</script></head><body>"
        "<nav>Home | About</nav><p>First &amp; foremost.</p><p>Second one.</p></body></html>",
        encoding="utf-8",
    )
    article = load_article(path)
    assert article.title == "Chip war"
    assert article.text == "First & foremost.\nSecond one."


def test_digest_changes_with_text() -> None:
    a = article_from_text("One.", doc_id="a")
    b = article_from_text("Two.", doc_id="a")
    assert a.digest != b.digest


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"   \n", "has no text to index"), (b"\xff\xfe\x00bad", "is not UTF-8 text")],
)
def test_bad_files_are_one_line_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message) as info:
        load_article(path)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="is not a file"):
        load_article(tmp_path / "nope.txt")


def test_slugify() -> None:
    assert slugify("Ünïcode Név!") == "unicode-nev"
    assert slugify("???") == "article"

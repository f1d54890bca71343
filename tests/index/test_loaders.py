from pathlib import Path

import pytest

from index.errors import LoadError
from index.loaders import article_from_text, kind_of, load_article, page_of, slugify

from ..pdfs import make_pdf


def test_txt_keeps_text_and_names_by_file(tmp_path: Path) -> None:
    path = tmp_path / "My Story_2024.txt"
    path.write_text("Chips are scarce. Prices rose.\r\nSecond paragraph.", encoding="utf-8")
    article = load_article(path)
    assert article.id == "my-story-2024"
    assert article.text == "Chips are scarce. Prices rose.\nSecond paragraph."
    assert article.source == str(path.resolve())


def test_markdown_title_and_links(tmp_path: Path) -> None:
    path = tmp_path / "news.md"
    path.write_text("# Big news\n\nThe [company](http://x) grew **fast**.\n", encoding="utf-8")
    article = load_article(path)
    assert article.title == "Big news"
    assert "The company grew fast." in article.text
    assert "http" not in article.text


PAGES = Path(__file__).parent.parent / "data" / "pages"


def test_html_keeps_the_article_and_its_metadata_without_the_chrome() -> None:
    """An ASP.NET page: everything inside a <form>, with menus, a sidebar and a footer."""
    article = load_article(PAGES / "aspnet.html")
    assert article.title == "Port strike ends after nine days"
    assert (article.author, article.published) == ("Maria Lopez", "2024-03-14")
    assert article.source == str((PAGES / "aspnet.html").resolve())  # a file keeps its path
    assert "pay rise of 6.5 percent" in article.text
    for chrome in ("Most read", "Copyright", "Sport", "Business", "VIEWSTATE"):
        assert chrome not in article.text


def test_html_with_an_unclosed_nav_keeps_its_body() -> None:
    article = load_article(PAGES / "unclosed_nav.html")
    assert "About 8,000 books were lost in the flood" in article.text
    assert "Contact" not in article.text


def test_html_hidden_text_is_not_indexed() -> None:
    text = load_article(PAGES / "hidden.html").text
    assert "about 300,000 homes" in text
    for hidden in ("Hidden draft", "Invisible promotional", "Screen-reader", "Template", "Iframe"):
        assert hidden not in text


def test_html_without_an_article_body_is_refused() -> None:
    with pytest.raises(LoadError, match="has no article text"):
        load_article(PAGES / "index_page.html")


def test_pdf_is_read_page_by_page(tmp_path: Path) -> None:
    path = tmp_path / "delta.pdf"
    path.write_bytes(
        make_pdf(
            [
                ["Delta Mining produced 4.2 million tonnes of ore in 2023."],
                ["The company hired 350 new workers in Perth last year."],
            ]
        )
    )
    article = load_article(path)
    second = article.text.index("The company hired")
    assert article.pages == (0, article.text.index("The company hired"))
    assert page_of(article.pages, 0) == 1 and page_of(article.pages, second + 5) == 2


def test_pdf_without_a_text_layer_or_damaged_is_refused(tmp_path: Path) -> None:
    scan, broken = tmp_path / "scan.pdf", tmp_path / "broken.pdf"
    scan.write_bytes(make_pdf([[], []]))
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n")
    with pytest.raises(LoadError, match="has no text layer"):
        load_article(scan)
    with pytest.raises(LoadError, match=r"cannot read .* as PDF"):
        load_article(broken)


def test_titles_and_metadata_are_one_clean_line() -> None:
    article = article_from_text(
        "Body text here.", doc_id="x", title="Evil\ntitle\x1b]0;pwned\x07 " + "long " * 100
    )
    assert "\n" not in article.title and "\x1b" not in article.title
    assert article.title.startswith("Evil title ]0;pwned")
    assert len(article.title) <= 200 and article.title.endswith("…")


@pytest.mark.parametrize(
    ("name", "content_type", "head", "kind"),
    [
        ("story", "text/html; charset=utf-8", b"", "html"),
        ("report.PDF", "", b"", "pdf"),
        ("download", "application/octet-stream", b"%PDF-1.7", "pdf"),
        ("notes", "", b"<!DOCTYPE html><html>", "html"),
        ("notes", "", b"Plain words.", "text"),
        ("photo", "image/png", b"\x89PNG", None),
    ],
)
def test_kind_of(name: str, content_type: str, head: bytes, kind: str | None) -> None:
    assert kind_of(name, content_type, head) == kind


def test_digest_changes_with_text() -> None:
    a = article_from_text("One.", doc_id="a")
    b = article_from_text("Two.", doc_id="a")
    assert a.digest != b.digest


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"   \n", "is empty"),
        (b"\xff\xfebad \xe9t\xe9", "is not UTF-8 text"),
        (b"\x00" * 64, "is binary, not text"),
        (bytes(range(1, 32)) * 8 + b"PK", "is binary, not text"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=message) as info:
        load_article(path)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="does not exist"):
        load_article(tmp_path / "nope.txt")


def test_slugify() -> None:
    assert slugify("Ünïcode Név!") == "unicode-nev"
    assert slugify("доклад о рынке") == "доклад-о-рынке"  # other scripts keep their letters
    assert slugify("新闻报道") == "新闻报道"
    assert slugify("???") == "article"

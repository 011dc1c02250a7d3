"""mdscholar.citations: [@key] citations, their numbers and the page's 参考文献 list (no site build)."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import markdown
import pytest

from docexec.build_state import STATE, PageContext
from mdscholar.citations import (BibError, cite_markdown, load_bibliography, number_runs,
                                 parse_bibtex)

BIB = r"""
% a comment line (BibTeX reads text outside entries as a comment)
@article{fan2001,
  author  = {Fan, Jianqing and Li, Runze},
  title   = {Variable Selection via Nonconcave Penalized Likelihood and its Oracle Properties},
  journal = {Journal of the American Statistical Association},
  year    = {2001},
  volume  = {96},
  number  = {456},
  pages   = {1348--1360},
  doi     = {10.1198/016214501753382273}
}
@book{dantzig1963,
  author    = {Dantzig, George B.},
  title     = {Linear Programming and Extensions},
  publisher = {Princeton University Press},
  address   = {Princeton},
  year      = {1963}
}
@article{zou2006,
  author  = {Zou, Hui},
  title   = {The Adaptive Lasso and Its Oracle Properties},
  journal = {Journal of the American Statistical Association},
  year    = {2006},
  volume  = {101},
  number  = {476},
  pages   = {1418--1429}
}
@online{torch-gru,
  organization = {PyTorch},
  title        = {torch.nn.GRU},
  url          = {https://pytorch.org/docs/stable/generated/torch.nn.GRU.html}
}
"""
LOGGER = "mkdocs.mdscholar"


@pytest.fixture
def bib(tmp_path) -> Path:
    path = tmp_path / "refs.bib"
    path.write_text(BIB, encoding="utf-8")
    return path


@pytest.fixture
def page(tmp_path):
    """A page the build names (as docexec's hook does), restored afterwards."""
    saved = STATE.page

    def name(text: str, front: str = "---\ntitle: t\n---\n") -> Path:
        path = tmp_path / "post.md"
        path.write_text(front + text, encoding="utf-8")
        STATE.page = PageContext(src="docs/blog/posts/post.md", src_path=path)
        return path

    yield name
    STATE.page = saved


def render(text: str, bib: Path, excerpt: bool = False) -> str:
    md = markdown.Markdown(
        extensions=["pymdownx.arithmatex", "mdscholar.citations", "toc", "pymdownx.superfences"],
        extension_configs={"pymdownx.arithmatex": {"generic": True},
                           "mdscholar.citations": {"bibliography": str(bib)}})
    if excerpt:  # Material's blog plugin renders a post again with this processor
        from markdown.treeprocessors import Treeprocessor

        md.treeprocessors.register(Treeprocessor(md), "excerpt", 0)
    return md.convert(text)


def numbers(html: str) -> list[str]:
    """The visible text of each citation, e.g. ["[1]", "[1, 2]"]."""
    return [re.sub(r"<[^>]+>", "", m) for m in
            re.findall(r'<span class="citation">(.*?)</span>(?=[^<]*(?:<|$))', html)]


def entries(html: str) -> list[str]:
    return re.findall(r'<p class="csl-entry" id="ref-([^"]+)">', html)


def test_one_citation_is_a_numbered_link_and_the_page_ends_with_its_list(bib):
    html = render("正文引用[@fan2001]。", bib)
    assert '<span class="citation">[<a href="#ref-fan2001">1</a>]</span>' in html
    assert '<h2 id="references">参考文献</h2>' in html
    assert html.index("参考文献") > html.index("正文引用")
    assert entries(html) == ["fan2001"]
    assert re.search(r'id="ref-fan2001">\[1\] FAN J', html)


def test_several_keys_in_one_citation_and_ranges(bib):
    html = render("A[@fan2001; @zou2006] B[@dantzig1963; @zou2006; @fan2001] "
                  "C[@torch-gru; @fan2001]", bib)
    assert numbers(html) == ["[1, 2]", "[1–3]", "[1, 4]"]
    assert number_runs([5, 1, 2, 3, 7, 8]) == [(1, 3), (5, 5), (7, 8)]


def test_numbers_follow_first_use_and_a_repeated_key_keeps_its_number(bib):
    text = "先[@zou2006]，\n\n- 列表里[@fan2001]\n\n再[@zou2006]，后[@dantzig1963]。\n"
    html = render(text, bib)
    assert numbers(html) == ["[1]", "[2]", "[1]", "[3]"]
    assert entries(html) == ["zou2006", "fan2001", "dantzig1963"]


def test_code_math_and_email_are_not_citations(bib):
    text = ("代码 `[@fan2001]`，公式 $x[@fan2001]$，邮件 someone@example.org，[me@example.org]。\n\n"
            "```python\nprint('[@fan2001]')\n```\n\n$$\n[@fan2001]\n$$\n\n"
            "图 [@fig-penalties] 归交叉引用。\n")
    html = render(text, bib)
    assert "citation" not in html and "参考文献" not in html
    assert "<code>[@fan2001]</code>" in html
    assert "[@fig-penalties]" in html and "someone@example.org" in html
    assert "[me@example.org]" in html


def test_unknown_key_is_an_error_at_its_page_line_and_shows_a_marker(bib, page, caplog):
    text = "第一行\n\n引用[@fan2001]和[@nosuchkey]。\n"
    page(text)  # three lines of front matter: the citation is on line 6 of the file
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        html = render(text, bib)
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "docs/blog/posts/post.md:6" in errors[0] and "nosuchkey" in errors[0]
    assert '<span class="citation-error"' in html and "@nosuchkey?" in html
    assert entries(html) == ["fan2001"]  # the known key still gets its number and entry


def test_the_line_of_a_repeated_unknown_key_is_its_own(bib, page, caplog):
    text = "[@missing]\n\n```\n[@missing]\n```\n\n[@missing]\n"
    page(text, front="")
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        render(text, bib)
    lines = [re.search(r":(\d+):", r.getMessage()).group(1) for r in caplog.records]
    assert lines == ["1", "7"]


def test_an_excerpt_has_no_list_and_reports_nothing(bib, caplog):
    with caplog.at_level(logging.ERROR, logger=LOGGER):
        html = render("引言[@fan2001]，再[@nosuchkey]。", bib, excerpt=True)
    assert not caplog.records
    assert numbers(html)[0].startswith("[1")
    assert 'id="references"' not in html and "csl-entry" not in html


@pytest.mark.parametrize("text, why", [
    ("@article{a, title = {x}}\n@book{A, title = {y}}\n", "line 1"),  # BibTeX keys ignore case
    ("@article{a, title = {unbalanced}\n", "premature end of file"),
    ("@article{a, title = undefinedmacro}\n", "undefined string macro"),
])
def test_a_bad_bibliography_raises_naming_file_and_line(text, why):
    with pytest.raises(BibError) as info:
        parse_bibtex(text, "refs.bib")
    assert str(info.value).startswith("refs.bib:") and why in str(info.value)


def test_a_missing_or_broken_bibliography_is_an_error_on_the_citing_page(tmp_path, page, caplog):
    page("引用[@fan2001]。\n")
    broken = tmp_path / "broken.bib"
    broken.write_text("@article{x, title = {a}}\n@article{x, title = {b}}\n", encoding="utf-8")
    for bib, why in [(tmp_path / "missing.bib", "does not exist"), (broken, "duplicate key 'x'")]:
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger=LOGGER):
            html = render("引用[@fan2001]。\n", bib)
        (message,) = [r.getMessage() for r in caplog.records]
        assert "docs/blog/posts/post.md:4" in message and why in message
        assert "@fan2001?" in html


def test_doi_and_url_are_links(bib):
    html = render("[@fan2001; @torch-gru]", bib)
    assert '<a href="https://doi.org/10.1198/016214501753382273">' in html
    assert ('<a href="https://pytorch.org/docs/stable/generated/torch.nn.GRU.html">'
            'https://pytorch.org/docs/stable/generated/torch.nn.GRU.html</a>') in html


def test_gb_t_7714_field_order_for_an_article_and_a_book(bib):
    """GB/T 7714-2015 §8: a journal article is ``主要责任者. 题名[J]. 刊名, 年, 卷(期): 页码.``,
    a monograph ``主要责任者. 题名[M]. 出版地: 出版者, 出版年.``; Western authors' family names
    in capitals, given names as initials without full stops (§8.1.2, §8.1.3)."""
    b = load_bibliography(bib)
    article, book = b.format(["zou2006", "dantzig1963"])
    authors, title = "ZOU H", "The Adaptive Lasso and Its Oracle Properties"
    journal, year, volume, issue, pages = ("Journal of the American Statistical Association",
                                           "2006", "101", "476", "1418-1429")
    assert article == f"{authors}. {title}[J]. {journal}, {year}, {volume}({issue}): {pages}."
    assert book == ("DANTZIG G B. Linear Programming and Extensions[M]. "
                    "Princeton: Princeton University Press, 1963.")


def test_rendering_is_deterministic(bib):
    text = "A[@torch-gru] B[@fan2001; @dantzig1963]\n"
    assert render(text, bib) == render(text, bib)
    assert cite_markdown(text, bib) == cite_markdown(text, bib)


def test_cite_markdown_numbers_prose_and_returns_the_list(bib):
    text = ("先[@zou2006]，再[@fan2001; @zou2006]。`[@fan2001]` 不变。\n\n```\n[@dantzig1963]\n```\n\n"
            "未知[@nosuchkey]\n")
    out, refs = cite_markdown(text, bib)
    assert out.count("\n") == text.count("\n")  # lines keep their numbers
    assert "先\\[[1](#ref-zou2006)\\]" in out
    assert "再\\[[1](#ref-zou2006), [2](#ref-fan2001)\\]" in out
    assert "`[@fan2001]`" in out and "[@dantzig1963]" in out and "\\[@nosuchkey?\\]" in out
    assert refs.startswith("## 参考文献\n")
    assert refs.index('<a id="ref-zou2006"></a>\\[1\\] ZOU H') < refs.index('id="ref-fan2001"')
    assert "DOI:[10.1198/016214501753382273](https://doi.org/10.1198/016214501753382273)" in refs
    assert "dantzig1963" not in refs
    assert cite_markdown("没有引用。", bib) == ("没有引用。", "")


def test_the_blog_bibliography_parses_and_every_post_cites_only_its_keys():
    from mdscholar.citations import cite_keys, scan_citations

    repo = Path(__file__).resolve().parents[1]
    b = load_bibliography(repo / "docs" / "references.bib")
    for post in sorted((repo / "docs" / "blog" / "posts").glob("*.md")):
        text = post.read_text(encoding="utf-8")
        keys = [k for _, _, m in scan_citations(text) for k in cite_keys(m.group(1))]
        assert keys, f"{post.name} cites nothing"
        assert not [k for k in keys if k not in b], post.name
        assert "## 参考资料" not in text and "## 参考文献" not in text, post.name

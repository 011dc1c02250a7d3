"""mdscholar.crossref with docexec's numbered blocks: figures, tables and equations numbered in
page order, references as links, and unknown or duplicated labels at their page:line."""

from __future__ import annotations

import logging
import re

import markdown
import pytest

import docexec.build_state as dx
from docexec.extension import exec_fence
from docexec.refs import ReferenceError_, parse_options
from docexec.settings import Settings
from test_engine import project, write  # noqa: F401 - project is a fixture

FRONT = "---\ntitle: t\n---\n\n"


def _render(project, text: str, excerpt: bool = False) -> str:
    write(project / "snippets" / "figs.py", """
        import matplotlib.pyplot as plt
        import pandas as pd

        def line():
            fig, ax = plt.subplots()
            ax.plot([0, 1], [1, 0])
            return fig

        def table():
            return pd.DataFrame({"a": [1, 2]})
    """)
    dx.configure(Settings(root=project, cache_dir=project / ".cache", timeout=60))
    dx.begin_build(show_tracebacks=True)
    page = write(project / "docs" / "page.md", FRONT + text)
    dx.set_page(page, "blog/page/", project)
    md = markdown.Markdown(
        extensions=["mdscholar.crossref", "md_in_html", "pymdownx.arithmatex",
                    "pymdownx.superfences"],
        extension_configs={"pymdownx.arithmatex": {"generic": True},
                           "pymdownx.superfences": {"custom_fences": [exec_fence()]}})
    if excerpt:  # as Material's blog plugin renders a post again for its index
        md.treeprocessors.register(markdown.treeprocessors.Treeprocessor(md), "excerpt", 0)
    body = page.read_text(encoding="utf-8").split("---\n", 2)[2]  # MkDocs strips the front matter
    return md.convert(body)


PAGE = """# 标题

如 @fig-b 与 @tbl-t 所示，@fig-a 在前；式 @eq-one 与 @eq-two。

```exec alt="一条线" label="fig-a" caption="第一幅"
snippets.figs:line
```

```exec label="tbl-t" caption="一张表"
snippets.figs:table
```

```exec alt="又一条线" label="fig-b" caption="第二幅"
snippets.figs:line
```

$$
x = 1
$$ {#eq-one}

$$ y = 2 $$ {#eq-two}

代码里的 `@fig-a` 不变，邮件 me@fig-a.org 也不变。
"""


def test_figures_tables_and_equations_are_numbered_in_page_order(project):
    html = _render(project, PAGE)
    assert '<a href="#fig-b">图 2</a>' in html and '<a href="#tbl-t">表 1</a>' in html
    assert '<a href="#fig-a">图 1</a>' in html
    assert '<a href="#eq-one">式 (1)</a>' in html and '<a href="#eq-two">式 (2)</a>' in html
    for label, caption in [("fig-a", "图 1：第一幅"), ("fig-b", "图 2：第二幅"),
                           ("tbl-t", "表 1：一张表")]:
        start = html.index(f'<figure class="docexec-numbered" id="{label}">')
        following = html.find('<figure class="docexec-numbered"', start + 1)
        assert caption in html[start:following if following > 0 else None], label
    # a table's caption is above it, a figure's below
    tbl = html[html.index('id="tbl-t"'):]
    assert tbl.index("表 1") < tbl.index("<table")
    fig = html[html.index('id="fig-a"'):]
    assert fig.index("<img") < fig.index("图 1")
    assert re.search(r'id="eq-one".*?\\tag\{1\}', html, re.S)
    assert re.search(r'id="eq-two".*?\\tag\{2\}', html, re.S)
    assert "<code>@fig-a</code>" in html and "me@fig-a.org" in html


def test_an_unknown_reference_is_an_error_at_its_line(project, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.mdscholar")
    html = _render(project, "# t\n\n见 @fig-nowhere。\n")
    assert "crossref-error" in html and "@fig-nowhere?" in html
    [record] = [r for r in caplog.records if "fig-nowhere" in r.getMessage()]
    assert "docs/page.md:7" in record.getMessage()  # 4 front-matter lines + line 3


def test_a_duplicated_label_is_an_error_at_its_second_definition(project, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.mdscholar")
    text = "# t\n\n$$ a $$ {#eq-a}\n\n$$ b $$ {#eq-a}\n"
    _render(project, text)
    messages = [r.getMessage() for r in caplog.records if "defined twice" in r.getMessage()]
    assert messages and "docs/page.md:9" in messages[0]


def test_an_excerpt_shows_plain_numbers_and_reports_nothing(project, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.mdscholar")
    html = _render(project, "# t\n\n见 @eq-a 与 @fig-none。\n\n$$ a $$ {#eq-a}\n", excerpt=True)
    assert "见 式 (1)" in html and 'href="#eq-a"' not in html
    assert not caplog.records


@pytest.mark.parametrize("info, message", [
    ('label="figure-a"', "must be fig-<name>"),
    ('label="fig-"', "must be fig-<name>"),
    ('caption="无标签"', "needs a label"),
])
def test_bad_labels_are_reference_errors(info, message):
    with pytest.raises(ReferenceError_, match=message):
        parse_options(info)


def test_a_figure_label_on_a_table_is_an_error_box(project):
    html = _render(project, '# t\n\n```exec label="fig-x"\nsnippets.figs:table\n```\n')
    assert "执行失败" in html and "numbers a figure" in html

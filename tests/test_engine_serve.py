"""What an author meets: ``mkdocs serve`` with a strict config while a demo breaks, a blog whose
excerpts render posts again, fences the page shows as code, and failures reported once at
their page:line."""

from __future__ import annotations

import contextlib
import logging
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

import docexec.build_state as dx
from docexec.refs import scan_text
from test_engine import _markdown, project, write  # noqa: F401 - project is a fixture
from test_engine_mkdocs import CONFIG, ENV, MKDOCS, _free_port, _get, _wait_for

# the engine test config with strict: true (without its math extension: not what is tested)
STRICT = CONFIG.replace("  - mdmathml\n", "") + "strict: true\n"


@pytest.fixture
def strict_site(tmp_path):
    write(tmp_path / "mkdocs.yml", STRICT)
    write(tmp_path / "snippets" / "__init__.py", "")
    write(tmp_path / "snippets" / "demo.py", """
        def good():
            return "result-one"

        def flaky():
            return "flaky-ok"
    """)
    write(tmp_path / "snippets" / "extra.py", """
        def more():
            return "extra-result"
    """)
    write(tmp_path / "docs" / "index.md", """
        # 首页

        ```exec
        snippets.demo:good
        ```

        ```exec
        snippets.demo:flaky
        ```
    """)
    write(tmp_path / "docs" / "other.md", """
        # 另一页

        ```exec
        snippets.extra:more
        ```
    """)
    return tmp_path


def _serving(proc, url, predicate, seconds=90, interval=0.5):
    """The page once ``predicate(html)`` holds (None if it never does or the server died)."""
    def fetch():
        if proc.poll() is not None:
            raise AssertionError("mkdocs serve exited")
        html = _get(url)
        return html if predicate(html) else None
    return _wait_for(fetch, seconds, interval)


@contextlib.contextmanager
def serving(site, ready=lambda html: "flaky-ok" in html, env=None, seconds=120):
    """``mkdocs serve`` of ``site`` (the strict site by default) on a free port, once its home
    page is ``ready``: (process, base URL). ``env``: the server's environment (the engine tests'
    by default). Stopped afterwards; what it wrote to stderr is then ``proc.stderr_text``."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    proc = subprocess.Popen([*MKDOCS, "serve", "-a", f"127.0.0.1:{port}"], cwd=site,
                            env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert _serving(proc, base, ready, seconds), "serve never answered"
        yield proc, base
    finally:
        proc.terminate()
        _, proc.stderr_text = proc.communicate(timeout=30)


def test_serve_with_a_strict_config_shows_the_error_box_and_recovers(strict_site):
    demo = strict_site / "snippets" / "demo.py"
    with serving(strict_site) as (proc, base):
        demo.write_text(demo.read_text().replace('return "flaky-ok"', "return [][3]"))
        broken = _serving(proc, base, lambda h: "执行失败" in h)
        assert broken, "a broken demo did not show as an error box while serving"
        assert "IndexError" in broken and "result-one" in broken
        assert "extra-result" in _get(base + "other/")  # every other page keeps serving
        demo.write_text(demo.read_text().replace("return [][3]", 'return "flaky-fixed"'))
        fixed = _serving(proc, base, lambda h: "flaky-fixed" in h)
        assert fixed and "执行失败" not in fixed
        (strict_site / "snippets" / "extra.py").unlink()
        gone = _serving(proc, base + "other/", lambda h: "执行失败" in h)
        assert gone and "No module named &#x27;snippets.extra&#x27;" in gone
        assert "docs/other.md:3" in gone
        assert proc.poll() is None
    assert "Aborted" not in proc.stderr_text and "appear stuck" not in proc.stderr_text


def test_a_strict_config_still_stops_mkdocs_build(strict_site):
    demo = strict_site / "snippets" / "demo.py"
    demo.write_text(demo.read_text().replace('return "flaky-ok"', "return [][3]"))
    run = subprocess.run([*MKDOCS, "build", "-d", str(strict_site / "out")], cwd=strict_site,
                         env=ENV, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0 and "docs/index.md:7" in run.stderr


# --- the blog: excerpts render every post again ------------------------------------------------

BLOG = f"""
site_name: blog test
site_url: https://example.org/sub/
theme: {{name: material, language: zh}}
plugins:
  - blog:
      post_excerpt: required
      post_url_format: "{{date}}/{{slug}}"
hooks:
  - {Path(__file__).resolve().parents[1] / "docs/.hooks/docexec_glue.py"}
markdown_extensions:
  - docexec.extension: {{timeout: 20}}
  - pymdownx.superfences:
      custom_fences:
        - !!python/object/apply:docexec.extension.exec_fence []
"""


@pytest.fixture
def blog(tmp_path):
    write(tmp_path / "mkdocs.yml", BLOG)
    write(tmp_path / "snippets" / "__init__.py", "")
    write(tmp_path / "snippets" / "demo.py", """
        import matplotlib.pyplot as plt

        def figure():
            fig, ax = plt.subplots()
            ax.plot([0, 1], [1, 0])
            return fig

        def bad():
            return [][3]
    """)
    write(tmp_path / "docs" / "index.md", "# 首页\n")
    write(tmp_path / "docs" / "blog" / "index.md", "# 博客\n")
    write(tmp_path / "docs" / "blog" / "posts" / "post.md", """
        ---
        date: 2026-01-02
        slug: a-post
        categories:
          - 测试
        ---

        # 一篇文章

        ```exec alt="一条线"
        snippets.demo:figure
        ```

        ```exec
        snippets.demo:bad
        ```

        <!-- more -->

        正文。

        ```exec
        snippets.demo:unclosed
    """)
    return tmp_path


def test_blog_failures_are_reported_once_and_excerpt_figures_resolve(blog):
    run = subprocess.run([*MKDOCS, "build", "-d", str(blog / "out")], cwd=blog, env=ENV,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    errors = [ln for ln in run.stderr.splitlines() if "docexec: " in ln and "ERROR" in ln]
    assert len([ln for ln in errors if "snippets.demo:bad" in ln]) == 1, run.stderr
    assert any("docs/blog/posts/post.md:14" in ln for ln in errors), run.stderr
    assert "<string>" not in run.stderr
    # the unclosed fence is never rendered: reported at its line, once
    assert len([ln for ln in errors if "post.md:22" in ln and "never closed" in ln]) == 1
    out = blog / "out"
    views = ["blog/index.html", "blog/archive/2026/index.html",
             "blog/category/测试/index.html", "blog/2026/01/02/a-post/index.html"]
    for view in views:
        html = (out / view).read_text(encoding="utf-8")
        figures = re.findall(r'<img[^>]+src="([^"#]+\.svg)(?:#[^"]*)?"', html)
        assert figures, f"{view} shows no figure"
        for src in figures:  # resolve it as a browser does, from the page's URL
            url = urljoin("https://example.org/sub/" + view, src)
            path = urlsplit(url).path.removeprefix("/sub/")
            assert (out / path).is_file(), f"{view}: {src} is a broken image"


# --- fences the page shows as code are never run -----------------------------------------------

SHOWN = """# t

<!-- a draft, hidden from readers
```exec
snippets.demo:boom
```
-->

The syntax, as an indented code block:

    ```exec
    snippets.demo:boom
    ```

1. In a list, the fence runs:

    ```exec
    snippets.demo:answer
    ```
"""


def test_fences_in_comments_and_indented_code_are_not_executed(project, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    assert [s.ref.target for s in scan_text(SHOWN, "p.md")] == ["snippets.demo:answer"]
    html = _markdown(project, SHOWN)
    assert "执行失败" not in html and "ZeroDivisionError" not in caplog.text
    assert "answer=42" in html
    assert "snippets.demo:boom" in html  # the indented block still shows the syntax
    assert dx.engine().executed == 1


def test_an_unknown_option_is_reported_at_its_line_by_scan_and_formatter(project, caplog):
    caplog.set_level(logging.ERROR, logger="mkdocs.docexec")
    text = "# t\n\npara\n\n```exec colour='red'\nsnippets.demo:answer\n```\n"
    [scanned] = scan_text(text, "docs/page.md")
    assert scanned.ref is None and "unknown exec option(s) colour" in scanned.error
    html = _markdown(project, text)
    assert "执行失败" in html and "docs/page.md:5" in html
    assert [r for r in caplog.records if "docs/page.md:5" in r.getMessage()
            and "unknown exec option" in r.getMessage()]


def test_a_fence_the_renderer_never_sees_is_left_for_the_page_report(project):
    """superfences does not take ```exec colour=red as a fence: the page shows text, and the
    glue reports the scan's finding at the line after the page is rendered."""
    text = "# t\n\npara\n\n```exec colour=red\nsnippets.demo:answer\n```\n"
    html = _markdown(project, text)
    assert "answer=42" not in html
    [(line, why)] = dx.STATE.page.unrendered()
    assert line == 5 and "unknown exec option(s) colour" in why


def _article(html: str) -> str:
    """The post itself (the theme around it names the server's address while serving)."""
    match = re.search(r'<article class="md-content__inner[^>]*>.*?</article>', html, re.S)
    assert match, "no article in the page"
    return match.group(0)


@pytest.mark.site
def test_what_serve_shows_after_each_kind_of_edit_equals_a_clean_build(tmp_path):
    """The real site, served; four edits an author makes. After each, once the page settles, the
    served post equals the same post from a clean ``mkdocs build`` of the edited tree."""
    from site_build import copy_repository

    site = copy_repository(tmp_path / "repo")
    env = {**ENV, "PYTHONPATH": str(site), "DOCEXEC_PROGRESS": "0"}
    ce, apriori = "blog/2026/11/20/cross-entropy-loss/", "blog/2026/11/24/apriori-numpy/"
    edits = [  # (what it is, file, old, new, page that shows it)
        ("a module another module imports", "snippets/cross_entropy/data.py",
         "[2.0, 1.0, 0.1, -1.0, 0.5]", "[2.5, 1.0, 0.1, -1.0, 0.5]", ce),
        ("a data file a demo reads", "benchmarks/results/apriori.json",
         '"min_support": 0.01', '"min_support": 0.02', apriori),
        ("the page's prose", "docs/blog/posts/2026-11-20-cross-entropy-loss.md",
         "如果所有 logits 相等", "如果全部 logits 都相等", ce),
        ("the page's include", "snippets/cross_entropy/core.py",
         "# --8<-- [start:log_softmax]\n", "# --8<-- [start:log_softmax]\n# 一行新注释\n", ce),
    ]
    with serving(site, ready=lambda html: "</html>" in html, env=env, seconds=600) as (proc, base):
        for what, rel, old, new, url in edits:
            path = site / rel
            text = path.read_text(encoding="utf-8")
            assert old in text, (rel, old)
            before = _article(_get(base + url))
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            clean = tmp_path / f"clean-{len(what)}"
            subprocess.run([*MKDOCS, "build", "--strict", "-q", "-d", str(clean)], cwd=site,
                           env=env, check=True, timeout=900, capture_output=True)
            expected = _article((clean / url / "index.html").read_text(encoding="utf-8"))
            assert expected != before, f"{what}: the edit does not change {url}"
            served = _serving(proc, base + url, lambda h: _article(h) == expected, 300, 0.5)
            if not served:
                import difflib

                diff = difflib.unified_diff(expected.splitlines(), _article(_get(base + url))
                                            .splitlines(), "clean build", "served", n=1, lineterm="")
                raise AssertionError(f"{what}: the served page never equalled the clean build:\n"
                                     + "\n".join(list(diff)[:40])[:4000])
        assert proc.poll() is None
    assert "Traceback" not in proc.stderr_text

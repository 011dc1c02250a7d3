"""The MkDocs hooks' own logic, without a site build: reading time, dates, latest posts."""

from __future__ import annotations

import importlib.util
import sys
import calendar
import os
import re
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from mkdocs.exceptions import PluginError

from site_build import REPO

HOOKS = REPO / "docs" / ".hooks"
sys.path.insert(0, str(HOOKS))  # as MkDocs does while it loads the hooks


def _load(name):
    spec = importlib.util.spec_from_file_location(f"hook_{name}", HOOKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


reading_time = _load("reading_time")
build_date = _load("build_date")
latest = _load("latest_posts")
code_anchors = _load("code_anchors")
from post_dates import post_date  # noqa: E402


@pytest.mark.parametrize("chinese, words, figures, minutes", [
    (0, 0, 0, 1),          # never "0 minutes"
    (300, 0, 0, 1),        # 300 characters a minute
    (301, 0, 0, 2),        # a started minute counts
    (900, 0, 0, 3),
    (0, 400, 0, 2),        # 200 Latin words a minute
    (600, 200, 0, 3),
    (0, 0, 12, 2),         # 10 s a figure (light and dark variants count once)
])
def test_reading_time_counts_chinese_per_character(chinese, words, figures, minutes):
    html = ("<p>" + "字" * chinese + "</p><p>" + " ".join(["word"] * words) + "</p>"
            + '<figure><img src="a.svg#only-light"><img src="a.svg#only-dark"></figure>' * figures)
    assert reading_time.reading_minutes(html) == minutes


def test_reading_time_ignores_scripts_styles_svg_and_mathml_glyphs():
    hidden = ("<script>" + "字" * 3000 + "</script><style>" + "x " * 3000 + "</style>"
              "<svg>" + "字" * 3000 + "</svg>"
              '<math display="block">' + "<mi>x</mi><mo>+</mo>" * 3000 + "</math>")
    assert reading_time.reading_minutes(hidden + "<p>" + "字" * 300 + "</p>") == 1


@pytest.mark.parametrize("value, expected", [
    (date(2026, 11, 25), date(2026, 11, 25)),
    (datetime(2026, 11, 25, 23, 59), date(2026, 11, 25)),
    ("2026-11-25", date(2026, 11, 25)),
    ("2026-11-25 08:00:00", date(2026, 11, 25)),
    ({"created": date(2026, 11, 20), "updated": date(2026, 11, 28)}, date(2026, 11, 20)),
])
def test_post_date_reads_every_form_the_blog_plugin_accepts(value, expected):
    assert post_date(value) == expected


@pytest.mark.parametrize("value", ["25.11.2026", "", None, {"updated": "2026-11-25"}])
def test_a_post_date_that_is_not_a_date_is_an_error(value):
    with pytest.raises(ValueError):
        post_date(value)


def _write_post(folder, name, day, draft=False, title="t", description=""):
    folder.mkdir(parents=True, exist_ok=True)
    extra = "draft: true\n" if draft else ""
    extra += f"description: {description}\n" if description else ""
    (folder / name).write_text(f"---\ndate: {day}\n{extra}---\n\n# {title}\n", encoding="utf-8")


def test_build_date_follows_the_newest_post_unless_source_date_epoch_is_set(tmp_path,
                                                                           monkeypatch):
    posts_dir = tmp_path / "docs" / "blog" / "posts"
    _write_post(posts_dir, "a.md", "2026-11-20")
    _write_post(posts_dir, "b.md", "2026-11-25")
    _write_post(posts_dir, "c.md", "2026-12-30", draft=True)  # drafts are not published
    config = SimpleNamespace(docs_dir=str(tmp_path / "docs"))
    # setenv first, so that monkeypatch restores the variable's original state (the hook
    # writes os.environ itself); a leak would change the date of later builds in this session
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    monkeypatch.setattr(build_date, "_own_epoch", None)
    build_date.on_config(config)
    assert os.environ["SOURCE_DATE_EPOCH"] == str(calendar.timegm((2026, 11, 25, 0, 0, 0)))
    # a new post (as while serving) moves the date the hook set
    _write_post(posts_dir, "d.md", "2026-11-28")
    build_date.on_config(config)
    assert os.environ["SOURCE_DATE_EPOCH"] == str(calendar.timegm((2026, 11, 28, 0, 0, 0)))
    # a date the builder set wins
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build_date.on_config(config)
    assert os.environ["SOURCE_DATE_EPOCH"] == "1700000000"


def test_latest_posts_lists_newest_first_with_dates_and_descriptions(tmp_path):
    from mkdocs.structure.files import File, Files

    docs = tmp_path / "docs"
    posts = docs / "blog" / "posts"
    _write_post(posts, "old.md", "2026-11-01", title="旧文", description="较早")
    _write_post(posts, "new.md", "2026-11-20", title="新文", description="最新")
    (docs / "about.md").write_text("# 关于\n", encoding="utf-8")
    files = Files([File(p.relative_to(docs).as_posix(), str(docs), str(tmp_path / "site"), True)
                   for p in sorted(docs.rglob("*.md"))])
    text = latest.latest_posts(files)
    assert text.splitlines() == [
        "- **[新文](blog/posts/new.md)** · 2026 年 11 月 20 日  ", "  最新",
        "- **[旧文](blog/posts/old.md)** · 2026 年 11 月 1 日  ", "  较早"]
    assert latest.latest_posts(files, limit=1).count("- **[") == 1
    page = "# 首页\n\n" + latest.MARKER + "\n"
    assert "[新文](blog/posts/new.md)" in latest.on_page_markdown(page, None, None, files)
    assert latest.latest_posts(Files([])) == "（还没有文章）"


def test_code_line_anchors_stay_only_in_the_source_pages():
    code = ('<pre><code><a id="__codelineno-0-1" name="__codelineno-0-1"></a>'
            '<span class="linenos" data-linenos="1 "></span><span class="n">x</span>\n'
            '<a id="__codelineno-0-2" name="__codelineno-0-2"></a>'
            '<span class="linenos" data-linenos="2 "></span><span class="n">y</span></code></pre>')
    out = code_anchors.strip_line_anchors(code)
    assert "__codelineno" not in out and out.count('class="linenos"') == 2  # numbers stay

    def page(uri):
        return SimpleNamespace(file=SimpleNamespace(src_uri=uri))

    assert code_anchors.on_page_content(code, page("src/snippets/gru/core.md"), None, None) == code
    assert "__codelineno" not in code_anchors.on_page_content(code, page("blog/posts/a.md"), None, None)


# --- highlight_cache: Pygments' output kept by content ------------------------------------------

highlight_cache = _load("highlight_cache")
_HIGHLIGHT = {"linenums": True, "linenums_style": "pymdownx-inline", "line_anchors": "__codelineno",
              "pygments_lang_class": True}


def _render(text: str, **options) -> str:
    import markdown

    return markdown.markdown(text, extensions=["pymdownx.highlight", "pymdownx.superfences"],
                             extension_configs={"pymdownx.highlight": {**_HIGHLIGHT, **options}})


@pytest.fixture
def cached_highlighting(tmp_path, monkeypatch):
    """The hook installed as a build installs it, with its disk cache in tmp_path."""
    import pymdownx.highlight

    monkeypatch.setattr(pymdownx.highlight, "highlight", pymdownx.highlight.highlight)
    monkeypatch.setattr(highlight_cache._store, "_memory", {})
    (tmp_path / "mkdocs.yml").write_text("site_name: t\n")
    highlight_cache.on_config(SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml")))
    return tmp_path / ".cache" / "highlight"


from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

_CODE = st.lists(st.sampled_from(["x = 1", "def f(a):", "    return a  # 注释", "print('<b>&')",
                                  "", "for i in range(3):", "    y = [i ** 2]", "\t\"s\" + 'q'"]),
                 min_size=0, max_size=12).map("\n".join)


@hsettings(max_examples=40, deadline=None)
@given(code=_CODE, lang=st.sampled_from(["python", "text", "nosuchlang", "sh"]),
       title=st.sampled_from(["", ' title="a.py"']), hl=st.sampled_from(["", ' hl_lines="1 2"']))
def test_cached_highlighting_renders_exactly_what_pygments_renders(code, lang, title, hl):
    import pymdownx.highlight

    fence = f"```{lang}{title}{hl}\n{code}\n```\n\ntext `inline`\n"
    original = pymdownx.highlight.highlight
    try:
        pymdownx.highlight.highlight = highlight_cache._highlight
        expected = _render(fence)
        pymdownx.highlight.highlight = highlight_cache.cached_highlight
        assert _render(fence) == expected  # computed, then from memory
        highlight_cache._store._memory.clear()
        assert _render(fence) == expected  # from the disk cache, when there is one
    finally:
        pymdownx.highlight.highlight = original


def test_the_key_holds_the_options_and_a_wrong_disk_entry_is_recomputed(cached_highlighting):
    fence = "```python\nx = 1\n```\n"
    with_numbers = _render(fence)
    without = _render(fence, linenums=False)
    assert with_numbers != without and "data-linenos" in with_numbers
    files = sorted(cached_highlighting.rglob("*.html"))
    assert len(files) == 2  # one entry per key
    for path in files:  # another block's HTML under this name: not served
        path.write_text(path.read_text().split("\n", 1)[0][::-1] + "\n<p>forged</p>")
    highlight_cache._store._memory.clear()
    assert _render(fence) == with_numbers and "forged" not in _render(fence, linenums=False)


# --- math_font: the math font cut to what the formulas draw, preloaded ------------------------

math_font = _load("math_font")
_MATH_PAGE = ('<head><link rel="stylesheet" href="../../assets/math/temml.css"></head>'
              '<body><math><mi>x</mi><mo>+</mo><mn>1</mn></math></body>')


def _math_build(tmp_path, html=_MATH_PAGE):
    """One build's hook calls for a site whose only formula is ``html``'s."""
    from mdmathml.vendor import FONT

    docs, site = tmp_path / "docs", tmp_path / "site"
    (docs / "assets" / "math").mkdir(parents=True, exist_ok=True)
    (docs / "assets" / "math" / FONT).write_bytes((REPO / "docs" / "assets" / "math" / FONT).read_bytes())
    (site / "assets" / "math").mkdir(parents=True, exist_ok=True)
    (site / "assets" / "math" / "temml.css").write_text(f"src: url('{FONT}') format('woff2');")
    config = SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml"), docs_dir=str(docs),
                             site_dir=str(site))
    math_font.on_config(config)
    math_font.on_pre_build(config)
    math_font.on_page_content(html, None, config, None)
    math_font.on_env(None, config, None)
    return config


def test_math_font_preloads_the_subset_on_pages_with_formulas(tmp_path):
    config = _math_build(tmp_path)
    page = SimpleNamespace(file=SimpleNamespace(src_uri="blog/posts/a.md"))
    out = math_font.on_post_page(_MATH_PAGE, page, config)
    name = math_font._font["name"]
    assert re.fullmatch(r"lm-math-[0-9a-f]{16}\.woff2", name)
    assert out.count('rel="preload"') == 1
    assert (f'<link rel="preload" href="../../assets/math/{name}" as="font" type="font/woff2" '
            'crossorigin><link rel="stylesheet" href="../../assets/math/temml.css">') in out
    plain = _MATH_PAGE.replace("<math><mi>x</mi><mo>+</mo><mn>1</mn></math>", "<p>x + 1</p>")
    assert math_font.on_post_page(plain, page, config) == plain
    math_font.on_post_build(config)
    site = Path(config.site_dir) / "assets" / "math"
    assert f"url('{name}')" in (site / "temml.css").read_text()
    assert (site / name).read_bytes() == math_font._font["data"]


def test_math_font_refuses_a_formula_added_after_conversion(tmp_path):
    config = _math_build(tmp_path)
    late = _MATH_PAGE.replace("<mn>1</mn>", "<mn>1</mn><mo>∮</mo>")
    page = SimpleNamespace(file=SimpleNamespace(src_uri="blog/posts/late.md"))
    with pytest.raises(PluginError, match=r"blog/posts/late\.md draws '∮"):
        math_font.on_post_page(late, page, config)


def test_math_font_cuts_again_when_the_cached_subset_is_damaged(tmp_path):
    math_font._memory.clear()  # an earlier test's build cut the same subset
    _math_build(tmp_path)
    good = math_font._font["data"]
    [cached] = (tmp_path / ".cache" / "mathfont").glob("*.woff2")
    assert cached.read_bytes() == good
    cached.write_bytes(good[: len(good) // 2])  # a write cut short
    math_font._memory.clear()
    _math_build(tmp_path)
    assert math_font._font["data"] == good and cached.read_bytes() == good


def test_math_font_names_what_is_missing(tmp_path):
    from mkdocs.structure.files import Files

    with pytest.raises(PluginError, match="latinmodern-math-subset.woff2 is missing"):
        math_font.on_files(Files([]), SimpleNamespace())
    config = _math_build(tmp_path)
    (Path(config.site_dir) / "assets" / "math" / "temml.css").write_text("src: url('other.woff2');")
    with pytest.raises(PluginError, match=r"temml\.css has 0 url"):
        math_font.on_post_build(config)

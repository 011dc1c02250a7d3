"""The RSS and JSON feeds: complete posts a feed reader can show, dates from the posts.

The site-level checks read the feeds of the one strict build with a real parser
(feedparser); the hook's pieces are also checked on their own.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import xml.etree.ElementTree as ET
from email.utils import parsedate_to_datetime

import feedparser
import pytest

from math_check import check_math
from site_build import REPO, posts

sys.path.insert(0, str(REPO / "docs" / ".hooks"))  # as MkDocs does while it loads the hooks
_spec = importlib.util.spec_from_file_location("feeds_hook", REPO / "docs" / ".hooks" / "feeds.py")
feeds_hook = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(feeds_hook)

SITE_URL = "https://blog.example.org/"


def _text(html: str) -> str:
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(html, "html.parser").get_text().split())


def _newest_post_day() -> str:
    days = []
    for post in posts():
        day = post.meta["date"]
        days.append(str(day.get("created") if isinstance(day, dict) else day)[:10])
    return max(days)


# --- the built feeds ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rss(built_site):
    parsed = feedparser.parse((built_site / "feed_rss_created.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


@pytest.fixture(scope="module")
def json_feed(built_site):
    return json.loads((built_site / "feed_json_created.json").read_text(encoding="utf-8"))


def _json_values(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _json_values(v)
    elif isinstance(value, list):
        for v in value:
            yield from _json_values(v)
    else:
        yield value


@pytest.mark.site
@pytest.mark.parametrize("name", ["feed_rss_created.xml", "feed_rss_updated.xml"])
def test_no_rss_field_holds_none(built_site, name):
    root = ET.parse(built_site / name).getroot()
    empty = [el.tag for el in root.iter() if (el.text or "").strip() in ("None", "null")]
    assert not empty, empty


@pytest.mark.site
@pytest.mark.parametrize("name", ["feed_json_created.json", "feed_json_updated.json"])
def test_no_json_feed_field_holds_none(built_site, name):
    feed = json.loads((built_site / name).read_text(encoding="utf-8"))
    values = list(_json_values(feed))
    assert all(v is not None and v != "None" for v in values)


@pytest.mark.site
def test_rss_channel_dates_are_the_newest_posts_date(rss):
    newest = _newest_post_day()
    for field in ("published", "updated"):
        assert parsedate_to_datetime(rss.feed[field]).date().isoformat() == newest, field
    assert rss.feed.image.href == SITE_URL + "assets/images/logo.png"


@pytest.mark.site
def test_every_post_is_an_rss_item_with_its_whole_body(rss, built_site):
    by_link = {e.link: e for e in rss.entries}
    for post in posts():
        entry = by_link.get(SITE_URL + post.url)
        assert entry is not None, post.url
        assert entry.title == post.title
        assert entry.summary == post.meta["description"]  # the description stays short
        assert parsedate_to_datetime(entry.published).date().isoformat() == str(
            post.meta["date"])[:10]
        assert entry.tags, post.url
        body = entry.content[0].value
        page = (built_site / post.url / "index.html").read_text(encoding="utf-8")
        # the whole post: its last section heading is in the feed too
        last_h2 = page.rsplit("<h2 id=", 1)[1].split(">", 1)[1].split("<", 1)[0]
        assert last_h2 in body, (post.url, last_h2)
        has_math = "$" in post.source.read_text(encoding="utf-8")
        assert ("<math" in body) == has_math and not check_math(body).problems  # MathML, no TeX
        figures = body.count('class="docexec-figure"')
        assert body.count("<img") >= figures and "#only-dark" not in body
        for src in [part.split('"', 1)[0] for part in body.split('src="')[1:]]:
            assert src.startswith(SITE_URL), (post.url, src)
        for href in [part.split('"', 1)[0] for part in body.split('href="')[1:]]:
            assert href.startswith((SITE_URL, "https://", "http://", "mailto:")), (post.url, href)


@pytest.mark.site
def test_feed_figures_exist_in_the_site(rss, built_site):
    for entry in rss.entries:
        for src in [p.split('"', 1)[0] for p in entry.content[0].value.split('src="')[1:]]:
            assert (built_site / src.removeprefix(SITE_URL).split("#")[0]).is_file(), src


@pytest.mark.site
def test_json_feed_items_carry_the_whole_post_and_the_summary(json_feed, rss):
    assert json_feed["icon"] == SITE_URL + "assets/images/logo.png"
    rss_bodies = {e.link: e.content[0].value for e in rss.entries}
    by_url = {item["url"]: item for item in json_feed["items"]}
    for post in posts():
        item = by_url[SITE_URL + post.url]
        assert item["summary"] == post.meta["description"]
        assert item["date_published"].startswith(str(post.meta["date"])[:10])
        assert item["date_modified"].startswith(str(post.meta["date"])[:10])
        body = item["content_html"]
        has_math = "$" in post.source.read_text(encoding="utf-8")
        assert ("<math" in body) == has_math and not check_math(body).problems
        assert 'src="../' not in body
        # the same post as the RSS item (feedparser sanitizes its copy, so compare text)
        assert _text(body) == _text(rss_bodies[item["url"]])


# --- the hook's pieces -------------------------------------------------------------------------


def test_feed_html_makes_links_absolute_and_keeps_one_figure_and_mathml():
    html = (
        '<h1 id="t">标题<a class="headerlink" href="#t">¶</a></h1>'
        '<p><a href="../other/">另一篇</a> <a href="#sec">本节</a> '
        '<a href="https://example.com/x">外链</a></p>'
        '<figure class="docexec-figure"><img src="../../assets/docexec/f.svg#only-light" alt="图">'
        '<img src="../../assets/docexec/g.svg#only-dark" alt="图"></figure>'
        '<p><math data-search-exclude><mi>x</mi></math></p>'
        '<div class="math-block" data-search-exclude><math display="block" class="tml-display" '
        'style="display:block math;"><mi>y</mi></math></div>'
        "<script>alert(1)</script>")
    out = feeds_hook.feed_html(html, "https://blog.example.org/blog/2026/11/25/post/")
    assert "<h1" not in out and "headerlink" not in out and "<script" not in out
    assert 'href="https://blog.example.org/blog/2026/11/25/other/"' in out
    assert 'href="https://blog.example.org/blog/2026/11/25/post/#sec"' in out
    assert 'href="https://example.com/x"' in out
    assert 'src="https://blog.example.org/blog/2026/11/assets/docexec/f.svg"' in out
    assert "g.svg" not in out
    assert "<mi>x</mi></math>" in out and 'display="block"' in out  # the page's MathML, kept


def test_feed_bodies_kept_on_disk_are_used_only_under_their_own_key(tmp_path, monkeypatch):
    from types import SimpleNamespace

    monkeypatch.setattr(feeds_hook._store, "_memory", {})
    monkeypatch.setattr(feeds_hook._store, "folder", None)
    feeds_hook.on_config(SimpleNamespace(config_file_path=str(tmp_path / "mkdocs.yml")))
    bodies = ['<p><a href="a/">一</a></p>', '<p><a href="b/">二</a></p>']
    url = "https://blog.example.org/blog/post/"
    expected = [feeds_hook._feed_html(b, url) for b in bodies]
    assert [feeds_hook.feed_html(b, url) for b in bodies] == expected  # computed, stored
    files = sorted((tmp_path / ".cache" / "feeds").rglob("*.html"))
    assert len(files) == 2
    feeds_hook._store._memory.clear()
    assert [feeds_hook.feed_html(b, url) for b in bodies] == expected  # from the disk
    assert feeds_hook.feed_html(bodies[0], "https://other.example/") != expected[0]  # URL in key
    for path in files:  # another body under this name: not used
        path.write_text(path.read_text().split("\n", 1)[0][::-1] + "\n<p>forged</p>")
    feeds_hook._store._memory.clear()
    assert [feeds_hook.feed_html(b, url) for b in bodies] == expected


def test_cdata_survives_a_body_that_contains_the_cdata_end():
    xml = ('<rss version="2.0"><channel><title>t</title><link>https://x/</link>'
           "<description>d</description><item><title>a</title><description>s</description>"
           "<link>https://x/a/</link></item></channel></rss>")
    feeds_hook._bodies.clear()
    feeds_hook._bodies["https://x/a/"] = "<p>x[i]]>y</p>"
    out = feeds_hook._add_rss_content(xml, "f.xml")
    parsed = feedparser.parse(out.encode())
    assert not parsed.bozo
    assert parsed.entries[0].content[0].value == "<p>x[i]]>y</p>"
    feeds_hook._bodies.clear()
    with pytest.raises(RuntimeError, match="f.xml has an item for https://x/a/"):
        feeds_hook._add_rss_content(xml, "f.xml")


def test_a_feed_keeps_the_wide_figure_only():
    """The feed hook drops the phone's <source> (a feed reader gets one absolute image)."""
    html = ('<figure class="docexec-figure">'
            '<picture><source media="(max-width: 44.9375em)" srcset="../../assets/figures/n1.svg">'
            '<img src="../../assets/figures/w1.svg#only-light" alt="图"></picture>'
            '<picture><source media="(max-width: 44.9375em)" srcset="../../assets/figures/n2.svg">'
            '<img src="../../assets/figures/w2.svg#only-dark" alt="图"></picture></figure>')
    out = feeds_hook.feed_html(html, "https://blog.example.org/blog/2026/11/25/post/")
    assert "<source" not in out and "n1.svg" not in out and "w2.svg" not in out
    wide = "https://blog.example.org/blog/2026/11/assets/figures/w1.svg"
    assert f'<img alt="图" src="{wide}"/>' in out


def test_a_new_commit_does_not_recompute_the_feed_body(monkeypatch):
    """The record names the commit; the feed leaves it out, and its key does not hold it."""
    from docexec.record import record_html

    monkeypatch.setattr(feeds_hook._store, "_memory", {})
    monkeypatch.setattr(feeds_hook._store, "folder", None)
    url = "https://blog.example.org/blog/2026/11/25/post/"
    body = "<p>正文 <a href='../x/'>x</a></p>"
    records = [record_html({"commit": commit, "dirty": dirty, "python": "3.11.7",
                            "libraries": {"numpy": "2.1"}, "torch_cpu": None,
                            "blocks": [{"where": "p.md:3", "call": "m.f()", "key": commit}]})
               for commit, dirty in (("aaaa", False), ("bbbb", True))]
    first = feeds_hook.feed_html(body + records[0], url)
    assert "复现信息" not in first and first == feeds_hook._feed_html(body + records[0], url)
    monkeypatch.setattr(feeds_hook, "_feed_html", lambda *a: pytest.fail("computed again"))
    assert feeds_hook.feed_html(body + records[1], url) == first
    with pytest.raises(pytest.fail.Exception, match="computed again"):  # other prose: computed
        feeds_hook.feed_html(body + "<p>另一段</p>" + records[1], url)

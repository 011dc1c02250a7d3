"""Feeds that a reader can read and that two builds write alike.

mkdocs-rss-plugin writes the RSS and JSON feeds (their dates come from the
``build_date`` hook); this hook makes them complete: every item carries the whole
post (RSS ``content:encoded``, JSON ``content_html``) with absolute links, one
figure variant and math as the page's MathML (it needs no stylesheet); the item's
description (JSON ``summary``) stays the post's short description.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urljoin

import bs4
from bs4 import BeautifulSoup
from mkdocs.plugins import event_priority

from docexec.cache import TextStore

RSS_FILES = ("feed_rss_created.xml", "feed_rss_updated.xml")
JSON_FILES = ("feed_json_created.json", "feed_json_updated.json")
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"

_bodies: dict[str, str] = {}  # canonical URL of a post -> its body as a feed shows it


def on_config(config):
    _bodies.clear()
    _store.folder = Path(config.config_file_path).resolve().parent / ".cache" / "feeds"
    return config


def on_pre_build(config):
    # mkdocs-rss-plugin collects the posts into a list it creates once per process (on_startup):
    # each `mkdocs serve` rebuild would add every post again
    rss = config.plugins.get("rss")
    if rss is not None and isinstance(getattr(rss, "pages_to_filter", None), list):
        rss.pages_to_filter = []


# feed_html is a pure function of its arguments, this file and BeautifulSoup: its output is kept
# by their hash, in memory (serve rebuilds) and in .cache/feeds (the next build; ~1 s a build)
_store = TextStore()
_CODE = hashlib.sha256(Path(__file__).read_bytes() + bs4.__version__.encode()).hexdigest()


# the reproducibility record (docexec.record.record_html) names the commit: it changes with every
# commit, but a feed leaves it out, so it is not part of the key either
_RECORD = re.compile(r'<details class="repro"[^>]*>.*?</details>', re.S)


def feed_html(html: str, page_url: str) -> str:
    """A post body as a feed reader shows it: no theme CSS, no JavaScript, absolute links."""
    html = _RECORD.sub("", html)
    key = hashlib.sha256("\0".join((_CODE, page_url, html)).encode("utf-8", "surrogatepass")
                         ).hexdigest()
    body = _store.get(key)
    if body is None:
        body = _feed_html(html, page_url)
        _store.put(key, body)
    return body


def _feed_html(html: str, page_url: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    title = soup.find("h1")
    if title is not None:  # the item has its own title
        title.decompose()
    # a params= block: the first value's output only (a feed runs no script to switch)
    # and no reproducibility record (it is for the page's readers, who can expand it)
    # and the wide figure: no phone-sized <source> (its link would stay relative)
    for node in soup.select("script, style, a.headerlink, .docexec-notebook, details.repro, "
                            ".docexec-params-controls, .docexec-params-panel[hidden], noscript, "
                            "picture > source"):
        node.decompose()
    for img in soup.find_all("img"):
        src = img.get("src", "")
        if src.endswith("#only-dark"):  # a feed has one palette: keep the light figure
            img.decompose()
            continue
        img["src"] = urljoin(page_url, src.removesuffix("#only-light"))
    for tag in soup.find_all(href=True):
        tag["href"] = urljoin(page_url, tag["href"])
    return str(soup)


def on_page_content(html, page, config, files):
    if page.file.src_uri.startswith("blog/posts/") and page.canonical_url:
        _bodies[page.canonical_url] = feed_html(html, page.canonical_url)
    return html


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _add_rss_content(xml: str, feed: str) -> str:
    if 'xmlns:content="' not in xml:
        xml = xml.replace("<rss ", f'<rss xmlns:content="{CONTENT_NS}" ', 1)

    def item(match):
        link = re.search(r"<link>([^<]+)</link>", match.group(0))
        url = link.group(1).replace("&amp;", "&") if link else None
        if url not in _bodies:
            raise RuntimeError(f"feeds: {feed} has an item for {url} whose page body is unknown")
        encoded = f"<content:encoded>{_cdata(_bodies[url])}</content:encoded>"
        return match.group(0).replace("</description>", "</description>" + encoded, 1)

    return re.sub(r"<item>.*?</item>", item, xml, flags=re.S)


def _complete_json(feed: dict, name: str) -> dict:
    for item in feed.get("items", []):
        url = item.get("url")
        if url not in _bodies:
            raise RuntimeError(f"feeds: {name} has an item for {url} whose page body is unknown")
        item["summary"] = item.get("content_html") or ""
        item["content_html"] = _bodies[url]
    # JSON Feed leaves optional fields out rather than null
    feed = {k: v for k, v in feed.items() if v is not None}
    feed["items"] = [{k: v for k, v in item.items() if v is not None}
                     for item in feed.get("items", [])]
    return feed


@event_priority(-100)  # after mkdocs-rss-plugin has written the feeds
def on_post_build(config):
    site = Path(config.site_dir)
    for name in RSS_FILES:
        path = site / name
        if path.is_file():
            path.write_text(_add_rss_content(path.read_text(encoding="utf-8"), name),
                            encoding="utf-8")
    for name in JSON_FILES:
        path = site / name
        if path.is_file():
            feed = _complete_json(json.loads(path.read_text(encoding="utf-8")), name)
            path.write_text(json.dumps(feed, ensure_ascii=False), encoding="utf-8")

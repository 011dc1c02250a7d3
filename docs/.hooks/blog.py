"""Blog details that Material does not do for Chinese text.

- reading time: Material counts a run of Chinese characters as one word, so a
  long Chinese post reads as "1 分钟"; here Chinese is counted per character;
- the home page lists the latest posts where it says ``<!-- latest-posts -->``.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

from mkdocs.plugins import event_priority
from mkdocs.utils import meta as meta_util

CJK_PER_MINUTE = 300  # characters of technical Chinese prose
WORDS_PER_MINUTE = 200  # Latin words, code and numbers
SECONDS_PER_FIGURE = 10

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9_]+(?:[.'’-][A-Za-z0-9_]+)*")
_TAG = re.compile(r"<[^>]+>")
_DROP = re.compile(r"<(script|style|svg)\b.*?</\1>|<span class=\"katex-mathml\">.*?</span>", re.S)


def reading_minutes(html: str) -> int:
    """Minutes to read a page's HTML: Chinese per character, other text per word."""
    figures = (html.count("<img") + 1) // 2  # a light and a dark variant count once
    text = _TAG.sub(" ", _DROP.sub(" ", html))
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    seconds = cjk / CJK_PER_MINUTE * 60 + words / WORDS_PER_MINUTE * 60 + figures * SECONDS_PER_FIGURE
    return max(1, math.ceil(seconds / 60))


@event_priority(50)  # before the blog plugin, which keeps a reading time that is already set
def on_page_content(html, page, config, files):
    post_config = getattr(page, "config", None)
    if post_config is not None and hasattr(post_config, "readtime") and not page.meta.get("readtime"):
        post_config.readtime = reading_minutes(html)
    return html


def _post_date(value) -> date:
    if isinstance(value, dict):
        value = value.get("created")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def latest_posts(files, limit: int = 5) -> str:
    posts = []
    for f in files.documentation_pages():
        if not f.src_uri.startswith("blog/posts/"):
            continue
        source, meta = meta_util.get_data(f.content_string)
        title = meta.get("title") or next(
            (ln[2:].strip() for ln in source.splitlines() if ln.startswith("# ")), f.name)
        posts.append((_post_date(meta.get("date")), title, f.src_uri, meta.get("description", "")))
    posts.sort(key=lambda p: (p[0], p[2]), reverse=True)
    lines = []
    for when, title, uri, description in posts[:limit]:
        lines.append(f"- **[{title}]({uri})** · {when.year} 年 {when.month} 月 {when.day} 日  \n"
                     f"  {description}")
    return "\n".join(lines) or "（还没有文章）"


def on_page_markdown(markdown, page, config, files):
    if "<!-- latest-posts -->" in markdown:
        markdown = markdown.replace("<!-- latest-posts -->", latest_posts(files))
    return markdown

"""The home page lists the latest posts where it says ``<!-- latest-posts -->``."""

from __future__ import annotations

from mkdocs.utils import meta as meta_util
from post_dates import post_date  # docs/.hooks/ is on the path while hooks load

MARKER = "<!-- latest-posts -->"


def latest_posts(files, limit: int = 5) -> str:
    posts = []
    for f in files.documentation_pages():
        if not f.src_uri.startswith("blog/posts/"):
            continue
        source, meta = meta_util.get_data(f.content_string)
        title = meta.get("title") or next(
            (ln[2:].strip() for ln in source.splitlines() if ln.startswith("# ")), f.name)
        posts.append((post_date(meta.get("date")), title, f.src_uri, meta.get("description", "")))
    posts.sort(key=lambda p: (p[0], p[2]), reverse=True)
    lines = []
    for when, title, uri, description in posts[:limit]:
        lines.append(f"- **[{title}]({uri})** · {when.year} 年 {when.month} 月 {when.day} 日  \n"
                     f"  {description}")
    return "\n".join(lines) or "（还没有文章）"


def on_page_markdown(markdown, page, config, files):
    if MARKER in markdown:
        markdown = markdown.replace(MARKER, latest_posts(files))
    return markdown

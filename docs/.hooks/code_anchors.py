"""Line anchors only where links point.

``pymdownx.highlight`` (``line_anchors``) puts an empty ``<a id="__codelineno-B-N">`` before every
line of every code block. Links point only into the snippet source pages (``src/``, from the code
titles; ``source_pages.py``), so the other pages drop them: one element less per line of code
(a post has 75–310 of them). Line numbers, copy buttons and colours are untouched.
"""

from __future__ import annotations

import re

from mkdocs.plugins import event_priority

_ANCHOR = re.compile(r'<a id="__codelineno-\d+-\d+" name="__codelineno-\d+-\d+"></a>')


def strip_line_anchors(html: str) -> str:
    return _ANCHOR.sub("", html)


@event_priority(60)  # before the other hooks, the blog plugin and the feeds read the HTML
def on_page_content(html, page, config, files):
    if page.file.src_uri.startswith("src/"):
        return html
    return strip_line_anchors(html)

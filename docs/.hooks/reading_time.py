"""Reading time for Chinese posts.

Material counts a run of Chinese characters as one word, so a long Chinese post
reads as "1 分钟". Here Chinese counts per character, other text per word (not
formulas: MathML is a glyph per element), and each figure a few seconds.
"""

from __future__ import annotations

import math
import re

from mkdocs.plugins import event_priority

CJK_PER_MINUTE = 300  # characters of technical Chinese prose
WORDS_PER_MINUTE = 200  # Latin words, code and numbers
SECONDS_PER_FIGURE = 10

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z0-9_]+(?:[.'’-][A-Za-z0-9_]+)*")
_TAG = re.compile(r"<[^>]+>")
# formulas are MathML: one element per glyph, which would count as words; they are left out
_DROP = re.compile(r"<(script|style|svg|math)\b.*?</\1>", re.S)


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

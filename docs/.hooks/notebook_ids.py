"""Stable, working ids in mkdocs-jupyter's notebook pages.

- Chinese headings get an empty id while the table of contents links to "_1", "_2", …;
- jupytext gives cells random ids on every conversion: number them instead, so that
  two clean builds write the same page.
"""

from __future__ import annotations

import re

from mkdocs.plugins import event_priority


def _toc_ids(items):
    for item in items:
        yield item.id
        yield from _toc_ids(item.children)


@event_priority(-50)
def on_post_page(output, page, config):
    if page.file.src_uri.endswith((".py", ".ipynb")):
        output = _notebook_heading_ids(output, page)
        counter = iter(range(1, 100_000))
        output = re.sub(r'id="cell-id=[0-9a-f]+"', lambda m: f'id="cell-id={next(counter)}"',
                        output)
    return output


def _notebook_heading_ids(output, page):
    """mkdocs-jupyter gives Chinese headings an empty id while its table of contents links
    to "_1", "_2", …: hand those ids to the empty headings, in order."""
    missing = iter([i for i in _toc_ids(page.toc) if f'id="{i}"' not in output])

    def fill(m):
        anchor = next(missing, None)
        if anchor is None:
            return m.group(0)
        rest = m.group(3).replace('href="#"', f'href="#{anchor}"', 1)
        return f'<h{m.group(1)} id="{anchor}"{m.group(2)}>{rest}</h{m.group(1)}>'

    return re.sub(r'<h([1-6]) id=""([^>]*)>(.*?)</h\1>', fill, output, flags=re.S)

"""Material's author avatar has no size: give it one so the layout does not shift."""

from __future__ import annotations

import re


def on_post_page(output, page, config):
    return _sized_avatar(output)


def _sized_avatar(output):
    # Material's author avatar has no size: give it one so the layout does not shift
    return re.sub(r'<img (src="[^"]*avatar\.svg"[^>]*?)>',
                  lambda m: m.group(0) if "width=" in m.group(1)
                  else f'<img {m.group(1)} width="32" height="32">', output)

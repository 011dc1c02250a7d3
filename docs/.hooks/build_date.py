"""The build's date is the newest post's date, unless SOURCE_DATE_EPOCH is set.

SOURCE_DATE_EPOCH is the variable MkDocs and its plugins read for "now": with it the
channel dates of the feeds, the sitemap and its gzip header do not change from one
build of the same posts to the next.
"""

from __future__ import annotations

import calendar
import os
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.utils import meta as meta_util
from post_dates import post_date  # docs/.hooks/ is on the path while hooks load

_own_epoch: str | None = None  # the SOURCE_DATE_EPOCH this hook set (it follows the posts)


def newest_post_epoch(posts_dir: Path) -> int | None:
    """Midnight (UTC) of the newest post's date, as seconds since the epoch."""
    days = []
    for path in sorted(posts_dir.glob("**/*.md")):
        _, meta = meta_util.get_data(path.read_text(encoding="utf-8"))
        if meta.get("draft") is True:
            continue
        if meta.get("date") is not None:
            days.append(post_date(meta["date"]))
    return calendar.timegm(max(days).timetuple()) if days else None


@event_priority(100)  # before the plugins read the build date in their own on_config
def on_config(config):
    global _own_epoch
    if os.environ.get("SOURCE_DATE_EPOCH") in (None, _own_epoch):
        epoch = newest_post_epoch(Path(config.docs_dir) / "blog" / "posts")
        if epoch is not None:
            _own_epoch = os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    return config

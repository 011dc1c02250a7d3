"""A post's date from its front matter (shared by the hooks; not a hook itself)."""

from __future__ import annotations

from datetime import date, datetime


def post_date(value) -> date:
    """``date:`` as Material's blog accepts it: a date, a datetime, a string or ``{created: …}``."""
    if isinstance(value, dict):
        value = value.get("created")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])

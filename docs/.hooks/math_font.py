"""The site serves a math font cut to what its formulas draw (mdmathml/font.py), preloaded.

Every page's formulas are in its converted HTML (mdmathml runs inside the Markdown conversion),
so once all pages are converted (on_env, before any page is written) the build knows every
character a formula draws. It cuts the vendored font to them and names the subset by its
content hash (``assets/math/lm-math-<hash>.woff2``): a new symbol in a post gives a new file,
never a stale one in a reader's cache. A page with a formula preloads it (the font arrives
with the stylesheets, so the text around a formula does not move when it lands), and the
built ``temml.css`` points at it. The vendored 256 KB font is not copied into the site.
A subset is a pure function of the vendored font and the characters: kept in memory and in
``.cache/mathfont``.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from mkdocs.exceptions import PluginError

from docexec.cache import atomic_write
from mdmathml.font import drawn_codepoints, subset_key, subset_woff2
from mdmathml.vendor import FONT

STYLESHEET = "assets/math/temml.css"
VENDORED = f"assets/math/{FONT}"
_URL = re.compile(r"url\('" + re.escape(FONT) + r"'\)")
_STYLESHEET_LINK = re.compile(r'<link rel="stylesheet" href="([^"]*)' + re.escape(STYLESHEET) + '"')

_points: set[int] = set()
_font: dict = {}  # this build's subset: name, bytes, code points
_memory: dict[str, bytes] = {}
_cache: Path | None = None


def on_config(config):
    global _cache
    _cache = Path(config.config_file_path).resolve().parent / ".cache" / "mathfont"
    return config


def on_pre_build(config):
    _points.clear()
    _font.clear()


def on_files(files, config):
    vendored = files.get_file_from_path(VENDORED)
    if vendored is None:
        raise PluginError(f"math_font: {VENDORED} is missing from docs/ (python -m mdmathml.vendor)")
    files.remove(vendored)  # read from docs/ by this hook; readers get the subset
    return files


def on_page_content(html, page, config, files):
    if "<math" in html:
        _points.update(drawn_codepoints(html))
    return html


def _whole_woff2(data: bytes) -> bool:
    # the WOFF2 header: signature, flavor, then the file's total length
    return data[:4] == b"wOF2" and int.from_bytes(data[8:12], "big") == len(data)


def _subset(source: bytes, points: set[int]) -> bytes:
    key = subset_key(source, points)
    if key in _memory:
        return _memory[key]
    path = _cache / f"{key}.woff2" if _cache else None
    data = path.read_bytes() if path and path.is_file() else None
    if data is None or not _whole_woff2(data):  # a truncated or foreign file: cut again
        data = subset_woff2(source, points)
        if path:
            try:
                atomic_write(path, data)
            except OSError:
                pass  # a read-only cache folder only means cutting again next build
    _memory.clear()  # one site, one font: the previous build's is not needed again
    _memory[key] = data
    return data


def on_env(env, config, files):
    source = Path(config.docs_dir, VENDORED).read_bytes()
    data = _subset(source, _points)
    _font.update(name=f"lm-math-{hashlib.sha256(data).hexdigest()[:16]}.woff2", data=data,
                 points=frozenset(_points))
    return env


def on_post_page(output, page, config):
    if "<math" not in output:
        return output
    late = drawn_codepoints(output) - _font["points"]
    if late:  # the subset was cut before this page was written: it would miss these glyphs
        raise PluginError(f"math_font: {page.file.src_uri} draws {''.join(map(chr, sorted(late)))!r} "
                          "in a formula added after its Markdown was converted")
    preload = (r'<link rel="preload" href="\1assets/math/%s" as="font" type="font/woff2" '
               r'crossorigin>' % _font["name"])
    return _STYLESHEET_LINK.sub(preload + r"\g<0>", output, count=1)


def on_post_build(config):
    site = Path(config.site_dir)
    atomic_write(site / "assets" / "math" / _font["name"], _font["data"])
    css_path = site / STYLESHEET
    css, n = _URL.subn(f"url('{_font['name']}')", css_path.read_text(encoding="utf-8"))
    if n != 1:
        raise PluginError(f"math_font: {STYLESHEET} has {n} url('{FONT}'), expected 1 "
                          "(python -m mdmathml.vendor writes it)")
    atomic_write(css_path, css.encode("utf-8"))

"""What a downloaded notebook needs to run anywhere, inlined into its first cell.

A reader who downloads a post's notebook has neither the blog's repository nor its
engine. So the notebook carries the source of every repository file its code uses:
the modules the page's references and shown sections import (``deps``), the data
files they read (static scan and what the calls were observed to open), and, if a
module uses them, small stand-ins for ``docexec.Markdown`` and ``docexec.Responsive``
(which gives the wide figure). Its first cell writes them into a temporary folder and
puts that folder first on ``sys.path``; it also sets the blog's figure theme with fonts
a reader is likely to have. Only public packages (numpy, pandas, matplotlib, torch,
scipy, ...) must be installed.
"""

from __future__ import annotations

from .deps import dependency_files
from .figures import CJK_FAMILY, theme_params
from .settings import Settings

MAX_FILE_BYTES = 2_000_000  # a data file larger than this is not inlined

DOCEXEC_SHIM = '''"""A stand-in for the blog's engine: only what the article modules use."""


class Markdown(str):
    """Markdown that the blog renders; in a notebook it shows as Markdown."""

    def _repr_markdown_(self):
        return str(self)


def Responsive(wide, narrow=None):
    """The blog serves phones a narrow layout; a notebook shows the wide figure."""
    if narrow is not None and not callable(narrow):
        import matplotlib.pyplot as plt

        plt.close(narrow)
    return wide
'''

# Chinese fonts a reader's machine may have, in order (the blog bundles its own subset)
READER_CJK_FONTS = ["Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC",
                    "Microsoft YaHei", "SimHei", "WenQuanYi Zen Hei"]


def bundle_files(modules: list[str], entries: list[dict], settings: Settings) -> dict[str, str]:
    """``{relative path: text}`` of every repository file the modules and results need."""
    root = settings.root
    paths: set[str] = set()
    for module in modules:
        paths.update(p for p, digest in dependency_files(module, settings).items()
                     if digest != "missing")
    for entry in entries:
        paths.update(p for p, digest in entry.get("observed", {}).items() if digest != "missing")
    files = {}
    for rel in sorted(paths):
        path = root / rel
        if not path.is_file() or path.stat().st_size > MAX_FILE_BYTES:
            continue
        try:
            files[rel] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # binary data: not inlined
            continue
    if any("docexec" in text for rel, text in files.items() if rel.endswith(".py")):
        files["docexec/__init__.py"] = DOCEXEC_SHIM
    return files


def _theme_source() -> str:
    rc = theme_params("light")
    colors = rc.pop("axes.prop_cycle").by_key()["color"]
    families = [f for f in rc.pop("font.family") if f != CJK_FAMILY] + READER_CJK_FONTS
    lines = ["plt.rcParams.update({"]
    lines += [f"    {key!r}: {value!r}," for key, value in sorted(rc.items())]
    lines += [f"    'font.family': {families!r},",
              f"    'axes.prop_cycle': cycler(color={colors!r}),", "})"]
    return "\n".join(lines)


def bootstrap_source(files: dict[str, str]) -> str:
    """The notebook's first code cell: write the files, import from them, set the theme."""
    body = ",\n".join(f"    {rel!r}: {text!r}" for rel, text in files.items())
    return "\n".join([
        "# 本 Notebook 自带运行所需的代码：下面把文章用到的模块和数据写进一个临时文件夹，",
        "# 再把它放到 sys.path 的最前面。只需要安装公开的包（numpy、pandas、matplotlib、torch 等）。",
        "import pathlib",
        "import sys",
        "import tempfile",
        "",
        "import matplotlib.pyplot as plt",
        "from cycler import cycler",
        "",
        "FILES = {",
        body,
        "}",
        'HERE = pathlib.Path(tempfile.mkdtemp(prefix="blog-notebook-"))',
        "for rel, text in FILES.items():",
        "    (HERE / rel).parent.mkdir(parents=True, exist_ok=True)",
        '    (HERE / rel).write_text(text, encoding="utf-8")',
        "sys.path.insert(0, str(HERE))",
        "",
        "# 与网页中的图相同的配色；中文字体用本机已有的",
        _theme_source(),
    ])

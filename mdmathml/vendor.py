"""Refresh the vendored math renderer and font: ``python -m mdmathml.vendor``.

- ``mdmathml/temml.min.js`` and ``TEMML_LICENSE`` from npm ``temml`` (package.json pins the version);
- ``docs/assets/math/temml.css``: Temml's Latin Modern stylesheet, its font served by the site;
- ``docs/assets/math/Temml.woff2``: Temml's small font (primes and \\mathscr in Chromium, MIT);
- ``docs/assets/math/latinmodern-math-subset.woff2``: Latin Modern Math (GUST Font License, from
  Debian's ``fonts-lmodern``), subset to the Unicode blocks formulas use and renamed as the licence
  asks of a derived work. It is the source each build cuts the served font from (only the
  characters the formulas draw: ``mdmathml/font.py``); ``tests/test_site.py`` checks that every
  character a built page draws in a formula is in that cut. When a post needs a block outside
  ``RANGES``, add it there and run this again.

Needs npm's ``node_modules`` (``npm ci``), Debian's ``fonts-lmodern``, fontTools (installed with
matplotlib) and brotli (the test extra) for WOFF2.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMML = ROOT / "node_modules" / "temml"
ASSETS = ROOT / "docs" / "assets" / "math"
LM_MATH = Path("/usr/share/texmf/fonts/opentype/public/lm-math/latinmodern-math.otf")
LM_LICENSE = Path("/usr/share/texmf/doc/fonts/lm-math/GUST-FONT-LICENSE.txt")
FONT = "latinmodern-math-subset.woff2"
FAMILY = "LM Math Subset"  # not the original name: a derived work (GUST Font License)

# Latin, spacing accents, Greek, punctuation, letterlike, arrows, operators, technical, shapes, math symbols A/B,
# supplemental operators, and the math alphanumerics: bold, italic, bold italic, script,
# double-struck, Greek variants, digits
RANGES = ("U+0020-007E,U+00A0-00FF,U+0131,U+0237,U+02B0-02FF,U+0300-036F,U+0391-03C9,U+03D1,U+03D5,U+03D6,"
          "U+03F0,U+03F1,U+03F5,U+2000-206F,U+20D0-20FF,U+2100-214F,U+2190-21FF,U+2200-22FF,"
          "U+2300-23FF,U+25A0-25FF,U+27C0-27FF,U+2980-2AFF,U+1D400-1D4FF,U+1D538-1D56B,"
          "U+1D6A4-1D7CB,U+1D7CE-1D7E1")


def subset_font(out: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    with tempfile.TemporaryDirectory() as tmp:
        otf = Path(tmp) / "lm-math-subset.otf"
        subset.main([str(LM_MATH), f"--output-file={otf}", f"--unicodes={RANGES}",
                     "--layout-features=*", "--notdef-outline", "--name-IDs=*", "--no-hinting",
                     "--drop-tables+=FFTM"])
        font = TTFont(otf, recalcTimestamp=False)  # the original's dates: the same bytes each run
        font["head"].modified = TTFont(LM_MATH)["head"].modified
        for record in font["name"].names:
            if record.nameID in (1, 3, 4, 16, 21):
                record.string = FAMILY
            elif record.nameID == 6:
                record.string = FAMILY.replace(" ", "")
        font.flavor = "woff2"
        font.save(out)


def main() -> None:
    pkg = Path(__file__).resolve().parent
    shutil.copyfile(TEMML / "dist" / "temml.min.js", pkg / "temml.min.js")
    shutil.copyfile(TEMML / "LICENSE", pkg / "TEMML_LICENSE")
    ASSETS.mkdir(parents=True, exist_ok=True)
    css = (TEMML / "dist" / "Temml-Latin-Modern.css").read_text(encoding="utf-8")
    css, n = re.subn(r"@font-face \{\s*font-family: Latin Modern Math;\s*src: url\('[^']+'\);\s*\}",
                     "@font-face {\n  font-family: \"%s\";\n  src: url('%s') format('woff2');\n}"
                     % (FAMILY, FONT), css)
    css, m = re.subn(r'font-family: "Latin Modern Math", math;', f'font-family: "{FAMILY}", math;', css)
    if (n, m) != (1, 1):
        raise SystemExit("Temml's stylesheet changed: update mdmathml/vendor.py")
    version = re.search(r'"version":\s*"([^"]+)"', (TEMML / "package.json").read_text()).group(1)
    header = (f"/* Temml {version} (MIT, Ron Kok) Temml-Latin-Modern.css, written by mdmathml/vendor.py:\n"
              f"   the math font is a subset of Latin Modern Math served by the site ({FONT}). */\n")
    (ASSETS / "temml.css").write_text(header + css, encoding="utf-8")
    shutil.copyfile(TEMML / "dist" / "Temml.woff2", ASSETS / "Temml.woff2")
    shutil.copyfile(LM_LICENSE, ASSETS / "GUST-FONT-LICENSE.txt")
    shutil.copyfile(TEMML / "LICENSE", ASSETS / "TEMML_LICENSE.txt")
    subset_font(ASSETS / FONT)


if __name__ == "__main__":
    main()

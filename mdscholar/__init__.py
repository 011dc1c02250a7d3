"""The scholarly apparatus of the blog's pages, as Python-Markdown extensions (so that MkDocs
and Zensical render them alike):

- ``mdscholar.citations``: ``[@key]`` citations numbered in order of first use, and the post's
  参考文献 list generated from ``docs/references.bib`` (GB/T 7714-2015 numeric);
- ``mdscholar.crossref``: numbered figures, tables and equations (``label="fig-…"`` on an exec
  fence, ``{#eq-…}`` after a display equation) and ``@fig-…`` references to them.
"""

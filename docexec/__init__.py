"""docexec: execute the functions a Markdown page references and render what they return.

A page names a function with a fenced block::

    ```exec alt="..."
    snippets.cross_entropy.page:show_manual_steps
    ```

The engine runs each referenced function in its own worker process, caches the
rendered result on disk (keyed by the sources the function depends on) and
renders it into the page: text, tables, figures (light and dark SVG) or Markdown.

Parts: ``refs`` (finding references), ``deps`` (cache keys), ``cache``,
``worker``/``values`` (the child side), ``outputs`` (each output kind's HTML,
snapshot and notebook form), ``runner`` (the parent side),
``extension`` (Python-Markdown), ``__main__`` (command line) and
``pytest_plugin`` (every reference as a test).
"""

__version__ = "1.0.0"


class Markdown(str):
    """A string that a demo returns to have it rendered as Markdown, not as text."""

    def _repr_markdown_(self):
        return str(self)


class Responsive:
    """A figure and its layout for narrow screens, which a demo returns instead of a Figure.

    ``wide`` is the figure a page, a feed and a notebook show; ``narrow`` is drawn by the
    same demo in fewer columns (a Figure, or a callable that draws it when the page is
    built) and is what a phone is served; ``None``: no narrow variant. A plain Figure
    gets one by itself when it has a single column of axes (``docexec.figures``).
    """

    __slots__ = ("wide", "narrow")

    def __init__(self, wide, narrow=None):
        self.wide = wide
        self.narrow = narrow


__all__ = ["Markdown", "Responsive", "__version__"]

"""The page's demos (snippets/rolling_regression/page.py) beyond what the
page snapshots compare: the benchmark file is found from any working
directory, the failing demo fails for its reason, the shared panel is
left as it was built."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from snippets.rolling_regression import page
from snippets.rolling_regression.data import article_panel, make_panel

COMMITTED = (Path(__file__).resolve().parents[2]
             / "benchmarks" / "results" / "rolling.json")


def test_benchmark_demos_read_the_committed_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # 路径与工作目录无关
    res = page.load_benchmark()
    assert res == json.loads(COMMITTED.read_text(encoding="utf-8"))
    assert {r["name"] for r in res["results"]} >= {
        "rolling_ols", "polars_ols", "statsmodels_fit",
        "statsmodels_params_only"}
    table = page.show_benchmark()
    assert table.index.tolist() == [r["label"] for r in res["results"]]
    assert f"{res['peak_memory_mb']:.0f} MB" in page.show_benchmark_context()


def test_fail_duplicate_rows_names_the_row():
    panel, _ = article_panel()
    row = panel.iloc[100]
    with pytest.raises(ValueError, match=r"duplicate \(asset, date\) row "
                       rf"\('{row['asset']}', {row['date']}\)"):
        page.fail_duplicate_rows()


def test_demos_leave_the_shared_panel_alone():
    for demo in (page.show_panel_head, page.show_panel_summary,
                 page.show_residuals, page.show_statsmodels_table):
        demo()
    panel, truth = article_panel()
    fresh_panel, fresh_truth = make_panel(200, 2000, 2, seed=0)
    pd.testing.assert_frame_equal(panel, fresh_panel)
    pd.testing.assert_frame_equal(truth, fresh_truth)

"""Every page's outputs hold on other CPUs: the approved snapshots under other kernels.

torch, MKL and NumPy pick their kernels by CPU (AVX-512 or AVX2, Intel or AMD), and the
rounding noise of a result changes with them. Each variant below runs every reference of
every page with an empty cache and compares it with the approved snapshots, as the next
machine's `make test` will. The variables are read when the libraries load, so each
variant is a fresh pytest process (its worker server imports torch and NumPy anew).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]



def _numpy_without_its_widest_kernels() -> str:
    """NumPy's dispatched feature groups to switch off: the AVX-512 ones where this CPU has
    them, else the AVX2 ones, so that NumPy runs code paths this machine does not pick itself.
    (Only groups that are dispatched and present are named: NumPy warns about the others.)"""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__

    def present(names):
        return [n for n in names if n in __cpu_dispatch__ and __cpu_features__.get(n)]

    avx512 = present([n for n in __cpu_dispatch__ if n == "X86_V4" or n.startswith("AVX512")])
    return " ".join(avx512 or present(["X86_V3", "AVX2", "FMA3"]))


VARIANTS = {
    # torch's portable kernels, MKL limited to AVX2 (what an older or AMD machine runs)
    "aten-default-mkl-avx2": {"ATEN_CPU_CAPABILITY": "default", "MKL_ENABLE_INSTRUCTIONS": "AVX2"},
    "aten-avx2": {"ATEN_CPU_CAPABILITY": "avx2"},
    # NumPy without its AVX-512 code paths ("X86_V4 AVX512_ICL" on an AVX-512 machine)
    "numpy-narrower-simd": {"NPY_DISABLE_CPU_FEATURES": _numpy_without_its_widest_kernels()},
}


@pytest.mark.crosscpu
@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_page_snapshots_hold_under_other_cpu_kernels(name, tmp_path):
    assert all(VARIANTS[name].values()), f"{name}: no kernel to switch off on this CPU"
    env = {**os.environ, **VARIANTS[name], "DOCEXEC_CACHE_DIR": str(tmp_path / "cache")}
    env.pop("DOCEXEC_UPDATE_SNAPSHOTS", None)
    env.pop("DOCEXEC_FORCE", None)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "docs", "-q", "-p", "no:cacheprovider",
         "-o", "addopts=", "--no-header", "-rf"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=1800)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "(no output)"
    assert run.returncode == 0, (
        f"with {VARIANTS[name]}: {summary}\n{run.stdout[-20000:]}\n{run.stderr[-3000:]}")
    assert " passed" in summary and "failed" not in summary, summary

"""The article's networks and data (snippets/backprop/data.py)."""

import math

import numpy as np
import pytest
import torch

from snippets import backprop as bp


def test_random_network_is_nn_linear_default_init():
    sizes = [3, 50, 7, 2]
    weights, biases = bp.random_network(sizes, np.random.default_rng(0))
    assert [W.shape for W in weights] == [(50, 3), (7, 50), (2, 7)]
    assert [b.shape for b in biases] == [(50,), (7,), (2,)]
    for W, b in zip(weights, biases):
        # nn.Linear：U(-1/sqrt(in), 1/sqrt(in))，与 PyTorch 的界逐一对照
        lin = torch.nn.Linear(W.shape[1], W.shape[0])
        limit = 1 / math.sqrt(lin.in_features)
        assert np.abs(W).max() <= limit and np.abs(b).max() <= limit
        assert lin.weight.abs().max().item() <= limit
    (big,), _ = bp.random_network([400, 400], np.random.default_rng(1))
    assert big.std() == pytest.approx(1 / math.sqrt(3 * 400), rel=0.01)
    again, _ = bp.random_network(sizes, np.random.default_rng(0))
    for W, V in zip(weights, again):
        np.testing.assert_array_equal(W, V)


def test_random_network_refuses_bad_sizes():
    for bad in ([3], "34", []):
        with pytest.raises(ValueError, match="at least two layer widths"):
            bp.random_network(bad, np.random.default_rng(0))
    for bad in (True, 3.0):
        with pytest.raises(TypeError, match=r"sizes\[1\] must be an integer"):
            bp.random_network([2, bad, 2], np.random.default_rng(0))


def test_spiral_data_has_three_noisy_arms():
    x, y = bp.spiral_data(n_per_class=60, n_classes=3, seed=0)
    assert x.shape == (180, 2)
    np.testing.assert_array_equal(np.bincount(y), [60, 60, 60])
    for c in range(3):
        # 半径沿每条臂从 0.1 等距增到 1.0；只有角度带噪声
        np.testing.assert_allclose(np.hypot(*x[y == c].T),
                                   np.linspace(0.1, 1.0, 60), rtol=1e-12)
    again = bp.spiral_data(n_per_class=60, n_classes=3, seed=0)
    np.testing.assert_array_equal(again[0], x)


@pytest.mark.parametrize("name", ["n_per_class", "n_classes", "seed"])
@pytest.mark.parametrize("bad", [True, 3.0])
def test_spiral_data_integer_arguments(name, bad):
    with pytest.raises(TypeError, match=f"{name} must be an integer"):
        bp.spiral_data(**{name: bad})


def test_batch_problem_shapes():
    x, y, weights, biases = bp.batch_problem()
    assert x.shape == (6, 4) and y.shape == (6,)
    assert [W.shape for W in weights] == [(5, 4), (3, 5), (3, 3)]
    assert set(y) <= {0, 1, 2}


def test_sgd_runs_is_shared_read_only_and_starts_like_torch():
    runs = bp.sgd_runs()
    assert bp.sgd_runs() is runs   # 同一进程只训练一次
    assert len(runs.manual) == len(runs.reference) == bp.SGD_STEPS == 400
    arrays = [runs.x, runs.y, runs.manual, runs.reference, *runs.weights,
              *runs.biases]
    assert all(not a.flags.writeable for a in arrays)
    # 第 1 步的损失：初始网络在全部数据上的交叉熵，由 PyTorch 独立计算
    x, y = bp.spiral_data()
    weights, biases = bp.random_network(bp.SGD_SIZES,
                                        np.random.default_rng(0))
    h = torch.tensor(x)
    for i, (W, b) in enumerate(zip(weights, biases)):
        h = torch.nn.functional.linear(h, torch.tensor(W), torch.tensor(b))
        h = h if i == len(weights) - 1 else torch.tanh(h)
    start = torch.nn.functional.cross_entropy(h, torch.tensor(y)).item()
    assert runs.manual[0] == pytest.approx(start, rel=1e-13)
    assert runs.reference[0] == pytest.approx(start, rel=1e-13)
    np.testing.assert_allclose(runs.manual, runs.reference, rtol=1e-8)
    assert dict(bp.TANH_CE) == dict(activation="tanh",
                                    output_activation="identity",
                                    loss="cross_entropy")

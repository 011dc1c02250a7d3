"""backprop (snippets/backprop/core.py) against PyTorch autograd (float64)
and central finite differences of a loss evaluated by PyTorch."""

import numpy as np
import pytest
import torch
from backprop.references import (ACTS, assert_close, drawn_arguments, good,
                                 make_problem, problem, torch_loss,
                                 torch_reference)
from hypothesis import given, settings

from snippets import backprop as bp


@settings(max_examples=300, deadline=None)
@given(problem)
def test_matches_autograd(p):
    args = drawn_arguments(p)
    x, y, weights, biases = args[:4]
    res = bp.backprop(*args)
    ref_loss, ref_W, ref_b, ref_delta = torch_reference(*args)
    assert_close(res.loss, ref_loss)
    assert len(res.grad_W) == len(res.grad_b) == len(res.delta) == \
        len(weights)
    for l in range(len(weights)):
        assert res.grad_W[l].shape == weights[l].shape
        assert res.grad_b[l].shape == biases[l].shape
        assert res.delta[l].shape == (p["batch"], weights[l].shape[0])
        assert_close(res.grad_W[l], ref_W[l])
        assert_close(res.grad_b[l], ref_b[l])
        assert_close(res.delta[l], ref_delta[l])


@pytest.mark.parametrize("act", ACTS)
@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_central_differences(act, loss):
    rng = np.random.default_rng(7)
    out_act = "identity" if loss == "cross_entropy" else "sigmoid"
    x, y, weights, biases = make_problem(rng, [3, 4, 5, 3], 5, loss)
    res = bp.backprop(x, y, weights, biases, act, out_act, loss)
    h = 1e-6
    for params, grads in ((weights, res.grad_W), (biases, res.grad_b)):
        for p, g in zip(params, grads):
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + h
                up = torch_loss(x, y, weights, biases, act, out_act, loss)
                p[idx] = old - h
                down = torch_loss(x, y, weights, biases, act, out_act, loss)
                p[idx] = old
                numeric = (up - down) / (2 * h)
                # relu's kink: with these random data no |z| is below h
                assert abs(numeric - g[idx]) < 1e-6, (idx, numeric, g[idx])


def test_mse_output_delta_formula():
    """delta of the output layer = 2 (a - y) / (B K) * f'(z)."""
    rng = np.random.default_rng(3)
    x, y, weights, biases = make_problem(rng, [2, 3, 4], 5, "mse")
    res = bp.backprop(x, y, weights, biases, "tanh", "sigmoid", "mse")
    a = torch.sigmoid(torch.tensor(res.z[-1])).numpy()
    expected = 2 * (a - y) / y.size * a * (1 - a)
    assert_close(res.delta[-1], expected)


def test_cross_entropy_delta_is_softmax_minus_onehot():
    rng = np.random.default_rng(4)
    x, y, weights, biases = make_problem(rng, [3, 5, 4], 6, "cross_entropy")
    res = bp.backprop(x, y, weights, biases, "relu", "identity",
                      "cross_entropy")
    p = torch.softmax(torch.tensor(res.z[-1]), dim=1).numpy()
    onehot = np.eye(4)[y]
    assert_close(res.delta[-1], (p - onehot) / len(y))


def test_large_logits_and_saturated_sigmoid_match_torch_exactly():
    weights = [np.array([[500.0, -500.0], [-800.0, 300.0]])]
    biases = [np.zeros(2)]
    x = np.array([[2.0, -1.0], [-3.0, 1.0]])
    ce = bp.backprop(x, np.array([1, 0]), weights, biases, "tanh",
                     "identity", "cross_entropy")
    ref = torch_reference(x, np.array([1, 0]), weights, biases, "tanh",
                          "identity", "cross_entropy")
    assert_close(ce.loss, ref[0])
    assert_close(ce.grad_W[0], ref[1][0])
    # |z| >= 1500：σ(z) 在双精度下恰为 0 或 1，σ' = σ(1 − σ) 恰为 0。
    # 输出 [[1, 0], [0, 1]]、目标 0：损失 (1 + 1) / 4 = 0.5，梯度全为 0
    mse = bp.backprop(x, np.zeros((2, 2)), weights, biases)
    ref = torch_reference(x, np.zeros((2, 2)), weights, biases, "sigmoid",
                          "sigmoid", "mse")
    np.testing.assert_array_equal(mse.a[-1], [[1.0, 0.0], [0.0, 1.0]])
    assert mse.loss == ref[0] == 0.5
    for ours, theirs in zip(mse.grad_W + mse.grad_b + mse.delta,
                            ref[1] + ref[2] + ref[3]):
        np.testing.assert_array_equal(ours, theirs)
        np.testing.assert_array_equal(ours, 0.0)


def test_saturated_hidden_layer_matches_torch():
    # 隐藏层饱和（σ' = 0 或 tanh' = 0），输出层不饱和：梯度只经过偏置路径
    x = np.array([[40.0, -45.0], [-50.0, 60.0], [0.5, 0.2]])
    weights = [np.array([[30.0, -20.0], [-25.0, 35.0]]),
               np.array([[0.3, -0.7], [0.5, 0.2]])]
    biases = [np.array([0.0, 1.0]), np.array([0.1, -0.2])]
    y = np.array([[0.2, 0.9], [0.6, 0.1], [0.5, 0.5]])
    for act in ("sigmoid", "tanh"):
        res = bp.backprop(x, y, weights, biases, act, "sigmoid", "mse")
        ref = torch_reference(x, y, weights, biases, act, "sigmoid", "mse")
        assert_close(res.loss, ref[0], 1e-14)
        for ours, theirs in zip(res.grad_W + res.grad_b + res.delta,
                                ref[1] + ref[2] + ref[3]):
            # σ(1 − σ) 在 σ ≈ 1 时只剩几位有效数字：相对误差放宽到 1e-8
            np.testing.assert_allclose(ours, theirs, rtol=1e-8, atol=1e-20)


def test_relu_derivative_at_zero_matches_torch():
    # z = 0 exactly in the hidden layer: PyTorch takes relu'(0) = 0
    weights = [np.zeros((3, 2)), np.ones((2, 3))]
    biases = [np.zeros(3), np.array([0.5, -0.5])]
    x = np.array([[1.0, -2.0], [0.5, 0.25]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    res = bp.backprop(x, y, weights, biases, "relu", "tanh", "mse")
    ref = torch_reference(x, y, weights, biases, "relu", "tanh", "mse")
    for l in range(2):
        assert_close(res.grad_W[l], ref[1][l])
        assert_close(res.grad_b[l], ref[2][l])


def test_accepts_int_arrays_and_tuples():
    res = bp.backprop([[1, 2]], [[0, 1]], ([[1, 0], [0, 1]],), ([0, 0],),
                      output_activation="identity")
    assert_close(res.loss, (1 + 1) / 2)
    assert_close(res.grad_W[0], np.array([[1.0, 2.0], [1.0, 2.0]]))


def test_inputs_not_modified():
    rng = np.random.default_rng(5)
    x, y, weights, biases = make_problem(rng, [2, 3, 2], 4, "mse")
    copies = [w.copy() for w in weights] + [b.copy() for b in biases]
    bp.backprop(x, y, weights, biases)
    for a, b in zip(weights + biases, copies):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("kwargs, match", [
    (dict(activation="softplus"), "activation must be one of"),
    (dict(output_activation="gelu"), "output_activation must be one of"),
    (dict(loss="l1"), "loss must be one of"),
    (dict(loss="cross_entropy", output_activation="sigmoid"),
     "output_activation must be 'identity'"),
])
def test_bad_options(kwargs, match):
    rng = np.random.default_rng(0)
    x, y, weights, biases = make_problem(rng, [2, 3, 2], 4, "mse")
    if kwargs.get("loss") == "cross_entropy":
        y = np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match=match):
        bp.backprop(x, y, weights, biases, **kwargs)


def test_bad_shapes():
    x, y, weights, biases = good()
    with pytest.raises(ValueError, match="at least one layer"):
        bp.backprop(x, y, [], [])
    with pytest.raises(ValueError, match="2 weight matrices but 1 bias"):
        bp.backprop(x, y, weights, biases[:1])
    with pytest.raises(ValueError, match=r"biases\[0\] must have shape \(3,\)"):
        bp.backprop(x, y, weights, [np.zeros(2), biases[1]])
    with pytest.raises(ValueError, match=r"must be \(2, 3\)"):
        bp.backprop(x, y, [weights[0], np.zeros((2, 4))], biases)
    with pytest.raises(ValueError, match=r"weights\[0\] must be a non-empty"):
        bp.backprop(x, y, [np.zeros(3), weights[1]], biases)
    with pytest.raises(ValueError, match="x has 5 features"):
        bp.backprop(np.zeros((4, 5)), y, weights, biases)
    with pytest.raises(ValueError, match="batch >= 1"):
        bp.backprop(np.zeros((0, 2)), np.zeros((0, 2)), weights, biases)
    with pytest.raises(ValueError, match="x must have shape"):
        bp.backprop(np.zeros(2), y, weights, biases)
    with pytest.raises(ValueError, match=r"y must have shape \(4, 2\)"):
        bp.backprop(x, y[:, :1], weights, biases)


def test_bad_cross_entropy_targets():
    x, _, weights, biases = good()
    kw = dict(output_activation="identity", loss="cross_entropy")
    with pytest.raises(ValueError, match="integer class"):
        bp.backprop(x, np.array([0.0, 1.0, 0.0, 1.0]), weights, biases, **kw)
    with pytest.raises(ValueError, match=r"in \[0, 2\)"):
        bp.backprop(x, np.array([0, 2, 0, 1]), weights, biases, **kw)
    with pytest.raises(ValueError, match=r"in \[0, 2\)"):
        bp.backprop(x, np.array([0, -1, 0, 1]), weights, biases, **kw)
    with pytest.raises(ValueError, match=r"shape \(4,\)"):
        bp.backprop(x, np.zeros((4, 2), dtype=int), weights, biases, **kw)


def test_bad_types_and_values():
    x, y, weights, biases = good()
    with pytest.raises(TypeError, match="lists of arrays"):
        bp.backprop(x, y, weights[0], biases)
    with pytest.raises(TypeError, match="numeric array"):
        bp.backprop("abc", y, weights, biases)
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        bp.backprop(bad, y, weights, biases)


def test_api_does_not_need_torch():
    """Importing the module and calling backprop never imports torch."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np\n"
        "from snippets.backprop import backprop\n"
        "r = backprop(np.ones((2, 3)), np.array([0, 1]), [np.ones((2, 3))],"
        " [np.zeros(2)], output_activation='identity',"
        " loss='cross_entropy')\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
    )
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


# --- argument types, dtypes and extreme scales ---------------------------------

@pytest.mark.parametrize("convert", [
    lambda a: a.astype(complex),   # 旧实现：丢掉虚部（只给一个警告）
    lambda a: a.astype(str),       # 旧实现：把字符串解析成数
])
def test_non_real_arrays_are_refused(convert):
    x, y, weights, biases = good()
    with pytest.raises(TypeError, match="real numeric array"):
        bp.backprop(convert(x), y, weights, biases)
    with pytest.raises(TypeError, match=r"real numeric array"):
        bp.backprop(x, y, [convert(weights[0]), weights[1]], biases)

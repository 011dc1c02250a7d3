"""finite_difference and autograd_gradients (snippets/backprop/gradcheck.py)
against PyTorch autograd and central differences of a PyTorch loss."""

import numpy as np
import pytest
from backprop.references import (assert_close, drawn_arguments, good,
                                 make_problem, problem, torch_loss,
                                 torch_reference)
from hypothesis import given, settings

from snippets import backprop as bp


@pytest.mark.parametrize("act, out_act, loss", [
    ("tanh", "identity", "cross_entropy"), ("sigmoid", "sigmoid", "mse"),
    ("relu", "tanh", "mse")])
def test_finite_difference_matches_autograd(act, out_act, loss):
    rng = np.random.default_rng(11)
    x, y, weights, biases = make_problem(rng, [3, 4, 2], 5, loss)
    before = [W.copy() for W in weights]
    kw = dict(activation=act, output_activation=out_act, loss=loss)
    fd = bp.finite_difference(x, y, weights, biases, h=1e-6, **kw)
    ref = torch_reference(x, y, weights, biases, act, out_act, loss)[1]
    for ours, theirs in zip(fd, ref):
        np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-7)
    for W, old in zip(weights, before):   # 原地加减 h 之后恢复原值
        np.testing.assert_array_equal(W, old)


def test_finite_difference_is_the_central_difference_of_the_loss():
    rng = np.random.default_rng(12)
    x, y, weights, biases = make_problem(rng, [2, 3, 2], 4, "mse")
    h = 1e-2   # 截断误差大：只有中心差分本身能逐位对上
    fd = bp.finite_difference(x, y, weights, biases, h=h,
                              activation="tanh", output_activation="sigmoid")
    for W, g in zip(weights, fd):
        for idx in np.ndindex(W.shape):
            old = W[idx]
            W[idx] = old + h
            up = torch_loss(x, y, weights, biases, "tanh", "sigmoid", "mse")
            W[idx] = old - h
            down = torch_loss(x, y, weights, biases, "tanh", "sigmoid", "mse")
            W[idx] = old
            assert g[idx] == pytest.approx((up - down) / (2 * h), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(problem)
def test_autograd_gradients_match_the_tests_torch_reference(p):
    args = drawn_arguments(p)
    ours = bp.autograd_gradients(*args)
    ref = torch_reference(*args)
    assert_close(ours[0], ref[0], 1e-13)
    for a, b in zip(ours[1] + ours[2] + ours[3], ref[1] + ref[2] + ref[3]):
        assert_close(a, b, 1e-13)


def test_autograd_gradients_checks_its_inputs():
    x, y, weights, biases = good()
    with pytest.raises(ValueError, match="activation must be one of"):
        bp.autograd_gradients(x, y, weights, biases, "softplus")
    with pytest.raises(ValueError, match=r"y must have shape \(4, 2\)"):
        bp.autograd_gradients(x, y[:, :1], weights, biases)


def test_finite_difference_refuses_integer_weights_and_bad_steps():
    x, y, weights, biases = good()
    # 整数权重被原地加上 h 时 h 会被截掉，旧实现返回无意义的差分
    with pytest.raises(TypeError, match=r"weights\[0\] must be a floating"):
        bp.finite_difference(x, y, [np.ones((3, 2), dtype=int), weights[1]],
                             biases)
    for bad, error in [(0.0, ValueError), (-1e-6, ValueError),
                       (float("nan"), ValueError), (True, TypeError),
                       ("1e-6", TypeError)]:
        with pytest.raises(error, match="h must be"):
            bp.finite_difference(x, y, [W.copy() for W in weights], biases,
                                 h=bad)

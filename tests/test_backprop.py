"""Tests for snippets/backprop.py against PyTorch autograd (float64) and
central finite differences of a loss evaluated by PyTorch."""

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import backprop as bp

ACTS = ["sigmoid", "tanh", "relu", "identity"]
TORCH_ACTS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh,
              "relu": torch.relu, "identity": lambda t: t}


def torch_reference(x, y, weights, biases, activation, output_activation,
                    loss):
    """Loss, dL/dW, dL/db and dL/dz computed by autograd."""
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True)
          for W in weights]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True)
          for b in biases]
    h = torch.tensor(x, dtype=torch.float64)
    zs = []
    for i, (W, b) in enumerate(zip(Ws, bs)):
        z = h @ W.T + b
        z.retain_grad()
        zs.append(z)
        f = output_activation if i == len(Ws) - 1 else activation
        h = TORCH_ACTS[f](z)
    if loss == "mse":
        value = torch.nn.MSELoss()(h, torch.tensor(y, dtype=torch.float64))
    else:
        value = torch.nn.CrossEntropyLoss()(zs[-1], torch.tensor(y))
    value.backward()
    return (value.item(), [W.grad.numpy() for W in Ws],
            [b.grad.numpy() for b in bs], [z.grad.numpy() for z in zs])


def torch_loss(x, y, weights, biases, activation, output_activation, loss):
    with torch.no_grad():
        h = torch.tensor(x, dtype=torch.float64)
        for i, (W, b) in enumerate(zip(weights, biases)):
            z = h @ torch.tensor(W).T + torch.tensor(b)
            f = output_activation if i == len(weights) - 1 else activation
            h = TORCH_ACTS[f](z)
        if loss == "mse":
            return torch.nn.MSELoss()(h, torch.tensor(y)).item()
        return torch.nn.CrossEntropyLoss()(z, torch.tensor(y)).item()


def make_problem(rng, sizes, batch, loss):
    weights = [rng.normal(size=(o, i)) for i, o in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(size=o) for o in sizes[1:]]
    x = rng.normal(size=(batch, sizes[0]))
    if loss == "mse":
        y = rng.normal(size=(batch, sizes[-1]))
    else:
        y = rng.integers(0, sizes[-1], size=batch)
    return x, y, weights, biases


problem = st.fixed_dictionaries({
    "sizes": st.lists(st.integers(1, 6), min_size=2, max_size=6),
    "batch": st.integers(1, 7),
    "activation": st.sampled_from(ACTS),
    "output_activation": st.sampled_from(ACTS),
    "loss": st.sampled_from(["mse", "cross_entropy"]),
    "seed": st.integers(0, 2**32 - 1),
})


def _assert_close(a, b, tol=1e-10):
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


@settings(max_examples=300, deadline=None)
@given(problem)
def test_matches_autograd(p):
    rng = np.random.default_rng(p["seed"])
    loss = p["loss"]
    out_act = "identity" if loss == "cross_entropy" else \
        p["output_activation"]
    x, y, weights, biases = make_problem(rng, p["sizes"], p["batch"], loss)
    res = bp.backprop(x, y, weights, biases, p["activation"], out_act, loss)
    ref_loss, ref_W, ref_b, ref_delta = torch_reference(
        x, y, weights, biases, p["activation"], out_act, loss)
    _assert_close(res.loss, ref_loss)
    assert len(res.grad_W) == len(res.grad_b) == len(res.delta) == \
        len(weights)
    for l in range(len(weights)):
        assert res.grad_W[l].shape == weights[l].shape
        assert res.grad_b[l].shape == biases[l].shape
        assert res.delta[l].shape == (p["batch"], weights[l].shape[0])
        _assert_close(res.grad_W[l], ref_W[l])
        _assert_close(res.grad_b[l], ref_b[l])
        _assert_close(res.delta[l], ref_delta[l])


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
    _assert_close(res.delta[-1], expected)


def test_cross_entropy_delta_is_softmax_minus_onehot():
    rng = np.random.default_rng(4)
    x, y, weights, biases = make_problem(rng, [3, 5, 4], 6, "cross_entropy")
    res = bp.backprop(x, y, weights, biases, "relu", "identity",
                      "cross_entropy")
    p = torch.softmax(torch.tensor(res.z[-1]), dim=1).numpy()
    onehot = np.eye(4)[y]
    _assert_close(res.delta[-1], (p - onehot) / len(y))


def test_large_logits_and_saturated_sigmoid_stay_finite():
    weights = [np.array([[500.0, -500.0], [-800.0, 300.0]])]
    biases = [np.zeros(2)]
    x = np.array([[2.0, -1.0], [-3.0, 1.0]])
    ce = bp.backprop(x, np.array([1, 0]), weights, biases, "tanh",
                     "identity", "cross_entropy")
    ref = torch_reference(x, np.array([1, 0]), weights, biases, "tanh",
                          "identity", "cross_entropy")
    _assert_close(ce.loss, ref[0])
    _assert_close(ce.grad_W[0], ref[1][0])
    mse = bp.backprop(x, np.zeros((2, 2)), weights, biases)
    assert np.isfinite(mse.loss)
    assert all(np.all(np.isfinite(g)) for g in mse.grad_W)


def test_relu_derivative_at_zero_matches_torch():
    # z = 0 exactly in the hidden layer: PyTorch takes relu'(0) = 0
    weights = [np.zeros((3, 2)), np.ones((2, 3))]
    biases = [np.zeros(3), np.array([0.5, -0.5])]
    x = np.array([[1.0, -2.0], [0.5, 0.25]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    res = bp.backprop(x, y, weights, biases, "relu", "tanh", "mse")
    ref = torch_reference(x, y, weights, biases, "relu", "tanh", "mse")
    for l in range(2):
        _assert_close(res.grad_W[l], ref[1][l])
        _assert_close(res.grad_b[l], ref[2][l])


def test_accepts_int_arrays_and_tuples():
    res = bp.backprop([[1, 2]], [[0, 1]], ([[1, 0], [0, 1]],), ([0, 0],),
                      output_activation="identity")
    _assert_close(res.loss, (1 + 1) / 2)
    _assert_close(res.grad_W[0], np.array([[1.0, 2.0], [1.0, 2.0]]))


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


def _good():
    rng = np.random.default_rng(0)
    return make_problem(rng, [2, 3, 2], 4, "mse")


def test_bad_shapes():
    x, y, weights, biases = _good()
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
    x, _, weights, biases = _good()
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
    x, y, weights, biases = _good()
    with pytest.raises(TypeError, match="lists of arrays"):
        bp.backprop(x, y, weights[0], biases)
    with pytest.raises(TypeError, match="numeric array"):
        bp.backprop("abc", y, weights, biases)
    bad = x.copy()
    bad[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        bp.backprop(bad, y, weights, biases)


def _assert_hand_gradients_match_autograd(x, y, W1, b1, W2, b2):
    loss, gW1, gb1, gW2, gb2 = bp.hand_gradients(
        x[0].tolist(), y[0].tolist(), W1.tolist(), b1.tolist(), W2.tolist(),
        b2.tolist())
    ref = torch_reference(x, y, [W1, W2], [b1, b2], "sigmoid", "sigmoid",
                          "mse")
    _assert_close(loss, ref[0])
    for ours, theirs in ((gW1, ref[1][0]), (gW2, ref[1][1]), (gb1, ref[2][0]),
                         (gb2, ref[2][1])):
        _assert_close(np.array(ours), theirs)


def test_hand_gradients_match_autograd():
    x, y, (W1, b1, W2, b2) = bp.example_network()
    _assert_hand_gradients_match_autograd(x, y, W1, b1, W2, b2)


def test_manual_training_equals_sgd():
    x, y = bp.spiral_data(n_per_class=20)
    weights, biases = bp.random_network([2, 6, 3], np.random.default_rng(1))
    manual, _, _ = bp.train_manual(
        x, y, weights, biases, 0.5, 30, activation="tanh",
        output_activation="identity", loss="cross_entropy")
    reference, _ = bp.train_torch(x, y, weights, biases, 0.5, 30)
    _assert_close(manual, reference)
    assert manual[-1] < manual[0]


@pytest.mark.parametrize("name", [
    "show_parameters", "show_forward", "show_hand_gradients", "show_shapes",
    "show_autograd_check", "show_finite_difference"])
def test_table_demos(name):
    assert isinstance(getattr(bp, name)(), pd.DataFrame)


@pytest.mark.parametrize("name", [
    "show_loss", "show_output_chain", "show_matrix_form"])
def test_text_demos(name):
    assert isinstance(getattr(bp, name)(), str)


def test_plot_demo():
    import matplotlib.pyplot as plt

    fig = bp.plot_step_size()
    assert isinstance(fig, plt.Figure)
    plt.close(fig)


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

    root = Path(__file__).resolve().parents[1]
    subprocess.run([sys.executable, "-c", code], check=True, cwd=root)


# --- argument types, dtypes and extreme scales ---------------------------------

@pytest.mark.parametrize("convert", [
    lambda a: a.astype(complex),   # 旧实现：丢掉虚部（只给一个警告）
    lambda a: a.astype(str),       # 旧实现：把字符串解析成数
])
def test_non_real_arrays_are_refused(convert):
    x, y, weights, biases = _good()
    with pytest.raises(TypeError, match="real numeric array"):
        bp.backprop(convert(x), y, weights, biases)
    with pytest.raises(TypeError, match=r"real numeric array"):
        bp.backprop(x, y, [convert(weights[0]), weights[1]], biases)


def test_hand_gradients_at_huge_inputs_match_autograd():
    # z = -7000 附近：旧实现的 math.exp(7000) 抛出 OverflowError
    _, _, (W1, b1, W2, b2) = bp.example_network()
    x, y = np.array([[1e4, -1e4]]), np.array([[0.9, 0.1]])
    _assert_hand_gradients_match_autograd(x, y, W1, b1, W2, b2)


def test_finite_difference_refuses_integer_weights_and_bad_steps():
    x, y, weights, biases = _good()
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


# 旧实现：True 被当作 1（训练 1 步、1 个样本），3.0 报出不指明参数的错误
INTEGER_ARGUMENTS = {
    "train_manual steps": lambda v: bp.train_manual(
        *_good(), 0.1, v),
    "train_torch steps": lambda v: bp.train_torch(*_good(), 0.1, v),
    "spiral_data n_per_class": lambda v: bp.spiral_data(n_per_class=v),
    "spiral_data n_classes": lambda v: bp.spiral_data(n_classes=v),
    "spiral_data seed": lambda v: bp.spiral_data(seed=v),
    "random_network sizes": lambda v: bp.random_network(
        [2, v, 2], np.random.default_rng(0)),
}


@pytest.mark.parametrize("bad", [True, 3.0])
@pytest.mark.parametrize("case", list(INTEGER_ARGUMENTS))
def test_integer_arguments_must_be_integers(case, bad):
    name = case.split()[1]
    with pytest.raises(TypeError, match=rf"{name}(\[1\])? must be an integer"):
        INTEGER_ARGUMENTS[case](bad)


@pytest.mark.parametrize("bad", ["0.1", True, None])
def test_learning_rate_must_be_a_real_number(bad):
    with pytest.raises(TypeError, match="lr must be a real number"):
        bp.train_manual(*_good(), bad, 3)

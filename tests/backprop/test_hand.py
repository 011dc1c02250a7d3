"""hand_gradients (snippets/backprop/hand.py) against PyTorch autograd: on
the article's example, typed here from the post, and on random networks."""

import numpy as np
from backprop.references import assert_close, torch_reference
from hypothesis import given, settings
from hypothesis import strategies as st

from snippets import backprop as bp

# 文中 2-3-2 例子的参数（与页面上的参数表逐项对照）
X = np.array([[0.6, -0.4]])
Y = np.array([[0.9, 0.1]])
W1 = np.array([[0.2, -0.3], [0.4, 0.1], [-0.5, 0.2]])
B1 = np.array([0.1, -0.1, 0.05])
W2 = np.array([[0.3, -0.2, 0.5], [-0.4, 0.6, 0.1]])
B2 = np.array([0.0, 0.1])


def assert_hand_gradients_match_autograd(x, y, W1, b1, W2, b2):
    loss, gW1, gb1, gW2, gb2 = bp.hand_gradients(
        x[0].tolist(), y[0].tolist(), W1.tolist(), b1.tolist(), W2.tolist(),
        b2.tolist())
    ref = torch_reference(x, y, [W1, W2], [b1, b2], "sigmoid", "sigmoid",
                          "mse")
    assert_close(loss, ref[0])
    for ours, theirs in ((gW1, ref[1][0]), (gW2, ref[1][1]), (gb1, ref[2][0]),
                         (gb2, ref[2][1])):
        assert_close(np.array(ours), theirs)


def test_example_network_is_the_posts_example():
    x, y, params = bp.example_network()
    for ours, stated in zip([x, y, *params], [X, Y, W1, B1, W2, B2]):
        np.testing.assert_array_equal(ours, stated)


def test_hand_gradients_match_autograd_on_the_example():
    assert_hand_gradients_match_autograd(X, Y, W1, B1, W2, B2)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_in=st.integers(1, 5),
       n_hid=st.integers(1, 6), n_out=st.integers(1, 4),
       scale=st.sampled_from([0.1, 1.0, 5.0]))
def test_hand_gradients_match_autograd_on_random_networks(seed, n_in, n_hid,
                                                          n_out, scale):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(1, n_in)) * scale, rng.uniform(size=(1, n_out))
    W1, W2 = rng.normal(size=(n_hid, n_in)), rng.normal(size=(n_out, n_hid))
    b1, b2 = rng.normal(size=n_hid), rng.normal(size=n_out)
    assert_hand_gradients_match_autograd(x, y, W1, b1, W2, b2)


def test_hand_gradients_at_huge_inputs_match_autograd():
    # z = -7000 附近：旧实现的 math.exp(7000) 抛出 OverflowError
    x, y = np.array([[1e4, -1e4]]), np.array([[0.9, 0.1]])
    assert_hand_gradients_match_autograd(x, y, W1, B1, W2, B2)

"""The page's demos (snippets/positional_encoding/page.py) beyond what the
page snapshots compare: the failing demo fails for its reason, and no demo
leaks torch's float64 default into the next one."""

import pytest
import torch

from snippets.positional_encoding import page


def test_fail_too_long():
    with pytest.raises(ValueError, match="sequence length 200 exceeds "
                                         "max_len=128"):
        page.fail_too_long()


@pytest.mark.parametrize("name", [
    "show_sentence_outputs", "show_permutation_check", "show_shift_check",
    "show_shift_matrix_block", "show_module_demo"])
def test_demos_restore_the_default_dtype(name):
    state = torch.random.get_rng_state()
    getattr(page, name)()
    assert torch.get_default_dtype() == torch.float32
    assert torch.equal(torch.random.get_rng_state(), state)

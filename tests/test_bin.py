"""BIN check digits."""
import pytest

from dashboard.bin import check_digit, is_valid_bin, make_bin


@pytest.mark.parametrize("value", ["200340001238", "971040472818"])
def test_valid_bins_pass(value):
    assert is_valid_bin(value)


@pytest.mark.parametrize("value", ["200340001239", "20034000123", "2003400012388", "20034000123a",
                                   "２００３４０００１２３８", "", None])
def test_malformed_or_wrong_check_digit_fails(value):
    assert not is_valid_bin(value)


def test_second_weights_used_when_first_sum_gives_ten():
    # Find an 11-digit prefix whose first weighted sum is 10 mod 11 and check the fallback.
    w1 = range(1, 12)
    prefix = next(p for p in (f"{n:011d}" for n in range(10**6, 10**6 + 5000))
                  if sum(int(c) * w for c, w in zip(p, w1)) % 11 == 10)
    w2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
    second = sum(int(c) * w for c, w in zip(prefix, w2)) % 11
    assert check_digit(prefix) == (None if second == 10 else second)


def test_make_bin_builds_valid_numbers():
    made = [make_bin(21, 5, serial) for serial in range(500)]
    assert all(is_valid_bin(b) for b in made if b is not None)
    assert sum(b is None for b in made) < 25  # about 1 in 11·11 prefixes cannot be completed
    assert made[0].startswith("210540")

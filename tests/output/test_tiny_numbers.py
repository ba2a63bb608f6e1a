"""Numbers that mean 0 are printed as 0: no ``1.07e-10`` for a difference of two equal means,
no ``-0`` for a negative number that rounds to 0."""

from __future__ import annotations

import math

import pytest

from jitsim.output.tables import format_estimate, format_general, format_number, snap_zero


def test_a_difference_of_equal_means_computed_two_ways_is_noise() -> None:
    """Two sums of the same numbers in another order differ in the last bits."""
    values = [0.1 * k + 1234.567 for k in range(1000)]
    a, b = sum(values) / 1000, sum(reversed(values)) / 1000
    assert a - b != 0  # the noise this is about
    assert snap_zero(a - b, max(abs(a), abs(b))) == 0.0
    assert format_general(a - b, max(abs(a), abs(b))) == "0"
    assert format_estimate(a - b, abs(a - b), reference=abs(a)) == "0 ± 0"


@pytest.mark.parametrize(
    "value, reference, expected",
    [
        (1.07e-10, 1_000.0, "0"),
        (-1.07e-10, 1_000.0, "0"),
        (1.07e-10, 0.0, "1.07e-10"),  # without a reference nothing is snapped
        (1e-6, 1_000.0, "1e-06"),  # 1e-9 relative: a real (if small) difference
        (-0.0, 0.0, "0"),
        (-12.345678, 100.0, "-12.35"),
        (math.nan, 1.0, "nan"),
    ],
)
def test_format_general(value: float, reference: float, expected: str) -> None:
    assert format_general(value, reference) == expected


@pytest.mark.parametrize(
    "value, digits, expected",
    [
        (-0.3, 0, "0"),
        (-0.04, 1, "0.0"),
        (-1e-12, 2, "0.00"),
        (-0.6, 0, "-1"),
        (-1234.5, 0, "-1,234"),  # round half to even, as f-strings do
        (0.0, 1, "0.0"),
        (-0.05, 2, "-0.05"),
    ],
)
def test_format_number_has_no_negative_zero(value: float, digits: int, expected: str) -> None:
    assert format_number(value, digits) == expected


def test_format_estimate_rounds_a_small_negative_mean_to_zero_without_a_sign() -> None:
    assert format_estimate(-0.3, 12.0) == "0 ± 12"
    assert format_estimate(-5.0, 12.0) == "-5 ± 12"
    assert format_estimate(12_345.0, 310.0) == "12,345 ± 310"  # unchanged for real numbers

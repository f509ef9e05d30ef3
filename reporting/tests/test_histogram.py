"""The histogram buckets: their edges (exact powers of two, zero, one, huge durations), the
SQL formula against the Python one, and quantiles read from buckets against exact ones."""

import math

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from reporting.dialect import bucket
from reporting.histogram import (
    LAST,
    PER_DOUBLING,
    bucket_bounds,
    bucket_of,
    bucket_value,
    exact_quantile,
    quantile,
    quantile_bucket,
)

HISTOGRAM = settings(max_examples=300, deadline=None, derandomize=True)
SECONDS = st.one_of(st.integers(0, 120), st.integers(0, 40 * 86_400), st.integers(0, 2 ** 40))


def test_less_than_a_second_is_bucket_zero():
    assert bucket_of(0) == 0
    assert bucket_of(0.999) == 0
    assert bucket_bounds(0) == (0.0, 1.0)


def test_one_second_opens_bucket_one():
    assert bucket_of(1) == 1
    assert bucket_bounds(1) == (1.0, 2 ** (1 / PER_DOUBLING))


@pytest.mark.parametrize("power", range(1, 25))
def test_an_exact_power_of_two_opens_its_bucket(power):
    """log2(2^k) computed as ln/ln must not land a hair below 4k (the EPSILON)."""
    assert bucket_of(2 ** power) == PER_DOUBLING * power + 1
    assert bucket_bounds(PER_DOUBLING * power + 1)[0] == 2 ** power


@pytest.mark.parametrize("power", range(3, 25))
def test_one_second_below_a_power_of_two_is_the_bucket_before(power):
    assert bucket_of(2 ** power - 1) == PER_DOUBLING * power


def test_huge_durations_share_the_last_bucket():
    last_low = bucket_bounds(LAST)[0]  # 2^(99/4) s: about 327 days
    assert 326 * 86_400 < last_low < 327 * 86_400
    assert bucket_of(math.ceil(last_low)) == LAST
    assert bucket_of(math.floor(last_low)) == LAST - 1
    assert bucket_of(10 ** 12) == bucket_of(2 ** 62) == LAST
    assert bucket_bounds(LAST)[1] == math.inf
    assert bucket_of(bucket_value(LAST)) == LAST


@HISTOGRAM
@given(SECONDS)
def test_every_duration_lies_within_its_buckets_bounds(seconds):
    low, high = bucket_bounds(bucket_of(seconds))
    assert low <= seconds < high


@HISTOGRAM
@given(SECONDS, SECONDS)
def test_buckets_keep_the_order_of_durations(a, b):
    if a <= b:
        assert bucket_of(a) <= bucket_of(b)


@pytest.mark.parametrize("b", range(LAST + 1))
def test_a_buckets_figure_lies_in_the_bucket(b):
    assert bucket_of(bucket_value(b)) == b


@pytest.mark.django_db
def test_the_sql_formula_buckets_like_python():
    """The rollups bucket in SQL (reporting.dialect.bucket), the checks in Python: both must
    put every duration in the same bucket, at the edges above all."""
    edges = {s for k in range(0, 26) for s in (2 ** k - 1, 2 ** k, 2 ** k + 1)}
    edges |= {math.floor(bucket_bounds(b)[0]) + d for b in range(1, LAST + 1) for d in (-1, 0, 1)}
    values = sorted(s for s in edges | {0, 1, 59, 60, 3599, 3600, 86_399, 86_400, 10 ** 12}
                    if s >= 0)
    with connection.cursor() as cursor:
        for n in range(0, len(values), 200):
            chunk = values[n:n + 200]
            cursor.execute("SELECT " + ", ".join(bucket(str(s)) for s in chunk))
            assert dict(zip(chunk, cursor.fetchone(), strict=True)) == {
                s: bucket_of(s) for s in chunk}


def _counts(values: list[int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for s in values:
        counts[bucket_of(s)] = counts.get(bucket_of(s), 0) + 1
    return counts


@HISTOGRAM
@given(st.lists(SECONDS, min_size=1, max_size=200), st.sampled_from([0.01, 0.5, 0.9, 0.99, 1.0]))
def test_a_quantile_from_buckets_is_within_one_bucket_of_the_exact_quantile(values, q):
    exact = exact_quantile(values, q)
    counts = _counts(values)
    assert quantile_bucket(counts, q) == bucket_of(exact)  # nearest rank, bucket by bucket
    shown = quantile(counts, q)
    assert abs(bucket_of(shown) - bucket_of(exact)) <= 1
    low, high = bucket_bounds(bucket_of(exact))
    assert low <= shown <= high


def test_no_values_no_quantile():
    assert quantile({}, 0.5) is None
    assert quantile_bucket({}, 0.9) is None
    assert exact_quantile([], 0.5) is None


def test_the_median_is_the_lower_middle_value_by_nearest_rank():
    assert exact_quantile([30, 10, 20, 40], 0.5) == 20
    assert exact_quantile([10], 0.9) == 10
    assert quantile_bucket({3: 1, 7: 1, 9: 2}, 0.5) == 7

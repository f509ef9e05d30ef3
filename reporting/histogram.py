"""Histogram buckets of durations in seconds: bucket 0 holds [0, 1 s); bucket b >= 1 holds
[2^((b-1)/4), 2^(b/4)) seconds, each about 19% wider than the one before, up to bucket LAST
(about 388 days and over). The same formula is written in SQL (reporting.dialect.bucket) and
here; a median or p90 read from these buckets is within one bucket of the exact figure."""

import math

PER_DOUBLING = 4
LAST = 100
EPSILON = 1e-9  # log2 of an exact power of two must not land a hair below the integer


def bucket_of(seconds: int) -> int:
    if seconds < 1:
        return 0
    # ln(s)/ln(2), not log2: the same arithmetic as the SQL (reporting.dialect.bucket)
    return min(LAST, 1 + math.floor(PER_DOUBLING * math.log(seconds) / math.log(2.0) + EPSILON))


def bucket_bounds(bucket: int) -> tuple[float, float]:
    """[low, high) seconds of a bucket."""
    if bucket <= 0:
        return 0.0, 1.0
    low = 2 ** ((bucket - 1) / PER_DOUBLING)
    return low, (math.inf if bucket >= LAST else 2 ** (bucket / PER_DOUBLING))


def bucket_value(bucket: int) -> float:
    """The figure a bucket stands for: the geometric middle of its bounds (0.5 s for bucket 0)."""
    if bucket <= 0:
        return 0.5
    low, high = bucket_bounds(bucket)
    return low * 2 ** (0.5 / PER_DOUBLING) if math.isinf(high) else math.sqrt(low * high)


def quantile_bucket(counts: dict[int, int], q: float) -> int | None:
    """The bucket holding the q-quantile (nearest-rank: the ceil(q*n)-th smallest value)."""
    total = sum(counts.values())
    if not total:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for bucket in sorted(counts):
        seen += counts[bucket]
        if seen >= rank:
            return bucket
    return max(counts)


def quantile(counts: dict[int, int], q: float) -> float | None:
    bucket = quantile_bucket(counts, q)
    return None if bucket is None else bucket_value(bucket)


def exact_quantile(values: list[int], q: float) -> int | None:
    """The same nearest-rank quantile over the raw values (tests and check_rollups)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]

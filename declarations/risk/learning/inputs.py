"""What the profile and model criteria of a ruleset read for one declaration: its profile
rates and the model's probability with its reasons, computed for a batch at once (the model
scores a routing batch in one call)."""

from collections.abc import Sequence
from dataclasses import dataclass

from .cases import Case
from .model import Model, Reason
from .profiles import Profiles


@dataclass(frozen=True)
class Learned:
    case: Case
    profiles: Profiles | None = None
    profile_version: int | None = None
    probability: float | None = None
    base_rate: float | None = None
    model_version: int | None = None
    reasons: tuple[Reason, ...] = ()


def learned_inputs(cases: Sequence[Case], *, profiles: Profiles | None, model: Model | None,
                   profile_version: int | None = None, model_version: int | None = None,
                   reasons: bool = True) -> list[Learned]:
    """One `Learned` per case. Reasons are worked out only where the model puts the case
    above its base rate (the only cases its criterion gives points to)."""
    if model is None:
        return [Learned(case, profiles, profile_version) for case in cases]
    probabilities = model.probabilities(cases)
    base = model.base_rate
    above = [i for i, p in enumerate(probabilities) if p > base] if reasons else []
    why = dict(zip(above, model.reasons([cases[i] for i in above]), strict=True))
    return [Learned(case, profiles, profile_version, float(p), base, model_version,
                    tuple(why.get(i, ())))
            for i, (case, p) in enumerate(zip(cases, probabilities, strict=True))]

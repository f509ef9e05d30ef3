"""A generated history with planted fraud, for tests, `backtest_selection --generated` and the
benches: honest to its own truth (every label follows from the planted patterns and noise,
never from a channel).

Planted: some HS x origin pairs whose lines are undervalued (0.3-0.6x the reference) half the
time; a few enterprises that misdeclare origin on a third of their declarations; a few
declarants who file false quantities more often; noise (2% of declarations, any kind). Honest
cheap purchases (far below the reference, no fraud) make the valuation criterion imperfect.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from ..scoring import Facts, LineFacts
from .cases import Case, Outcome, case_of

ORIGINS = [("CN", 70), ("TH", 6), ("KR", 5), ("JP", 4), ("TW", 4), ("IN", 3), ("MY", 3),
           ("ID", 2), ("US", 2), ("DE", 1)]
TRADING = [("CN", 85), ("HK", 8), ("SG", 4), ("TW", 3)]
CHAPTERS = ["0202", "0303", "0806", "2203", "2208", "2710", "3004", "3923", "3926", "3304",
            "3904", "4011", "4202", "6109", "6204", "6402", "7208", "7308", "8414", "8418",
            "8471", "8504", "8516", "8517", "8528", "8536", "8703", "8711", "9403", "9503"]


@dataclass(frozen=True)
class Planted:
    pairs: frozenset  # (hs_code, origin) undervalued
    origin_cheats: frozenset  # enterprise tax codes
    quantity_cheats: frozenset  # declarant ids


def _pick(rng: random.Random, weighted):
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def history(n: int = 20_000, *, seed: int = 7, start: date = date(2025, 1, 6),
            days: int = 182) -> tuple[list[Case], dict[str, Outcome], Planted]:
    """`n` declarations over `days` days, their outcomes (what an inspection would find: the
    truth, for every declaration) and the planted patterns."""
    rng = random.Random(seed)
    codes = [f"{ch}{rng.randrange(10, 100)}{rng.randrange(10, 100)}" for ch in CHAPTERS
             for _ in range(6)]
    reference = {code: round(rng.lognormvariate(2.5, 1.2), 4) for code in codes}
    enterprises = [f"0{rng.randrange(10**8, 10**9)}" for _ in range(300)]
    activity = [1 / (i + 1) ** 0.8 for i in range(len(enterprises))]
    age = {e: rng.randrange(30, 4000) for e in enterprises}
    priority = {e for e in enterprises if rng.random() < 0.04}
    usual_codes = {e: rng.sample(codes, 8) for e in enterprises}
    declarants = [f"D{i:03d}" for i in range(120)]
    declarant_of = {e: rng.sample(declarants, 2) for e in enterprises}
    partners = [f"P{i:04d}" for i in range(500)]
    partner_of = {e: rng.sample(partners, 4) for e in enterprises}
    gates = ["MC-KL", "MC-BL", "MC-VC", "MC-HM", "MC-PN"]
    planted = Planted(
        pairs=frozenset((code, origin) for code, origin in
                        zip(rng.sample(codes, 8), ["CN", "CN", "CN", "TH", "KR", "CN", "MY", "IN"],
                            strict=True)),
        origin_cheats=frozenset(e for e in rng.sample(enterprises[3:60], 6) if e not in priority),
        quantity_cheats=frozenset(rng.sample(declarants, 4)))
    pair_codes = {code for code, _ in planted.pairs}
    cases, outcomes = [], {}
    for i in range(n):
        day = start + timedelta(days=min(days - 1, int(i * days / n)))
        enterprise = rng.choices(enterprises, activity)[0]
        declarant = rng.choice(declarant_of[enterprise])
        lines, fraud, found = [], None, 0.0
        for line_no in range(1, 1 + min(3, 1 + int(rng.expovariate(1.5)))):
            code = (rng.choice(usual_codes[enterprise]) if rng.random() < 0.8
                    else rng.choice(sorted(pair_codes)) if rng.random() < 0.4
                    else rng.choice(codes))
            origin = _pick(rng, ORIGINS)
            ref = reference[code]
            price = ref * rng.lognormvariate(0, 0.2)
            if (code, origin) in planted.pairs and rng.random() < 0.5:
                price = ref * rng.uniform(0.3, 0.6)
                fraud = fraud or "value"
            elif rng.random() < 0.04:  # an honest cheap purchase (end of series, discount)
                price = ref * rng.uniform(0.35, 0.65)
            lines.append(LineFacts(line_no, code, origin, Decimal(f"{price:.4f}"),
                                   Decimal(f"{ref:.4f}")))
        if enterprise in planted.origin_cheats and rng.random() < 0.4:
            fraud = fraud or "origin"
        if declarant in planted.quantity_cheats and rng.random() < 0.2:
            fraud = fraud or "quantity"
        if rng.random() < 0.02:
            fraud = fraud or rng.choice(["hs_code", "quantity", "value"])
        quantity = float(min(max(1, int(rng.lognormvariate(6.0, 1.0))), 50_000))
        value = sum(float(line.unit_price_usd) for line in lines) * quantity
        trading = _pick(rng, TRADING)
        number = f"10{i + 1:09d}0"
        facts = Facts(number=number, on=day, regime="A11" if rng.random() < 0.85 else "E31",
                      trading_country=trading, enterprise_tax_code=enterprise,
                      enterprise_priority=enterprise in priority,
                      enterprise_age_days=age[enterprise] + (day - start).days,
                      violation_days_ago=(), amendment_count=int(rng.random() < 0.05),
                      lines=tuple(lines), declarant=declarant, border_gate=rng.choice(gates),
                      partner=rng.choice(partner_of[enterprise]), value_usd=value,
                      quantity=quantity)
        case = case_of(facts)
        if fraud:
            found = value * 25_000 * rng.uniform(0.05, 0.3) + rng.choice((5, 10, 20)) * 1e6
        cases.append(case)
        outcomes[case.id] = Outcome(violation=fraud is not None, found_vnd=round(found))
    return cases, outcomes, planted



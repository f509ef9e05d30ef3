"""Selection that learns from inspection outcomes (pure: facts in, numbers out, no ORM).

- cases.py: what the learner sees of one declaration (`Case`) and what an inspection revealed
  (`Outcome`); `case_of` turns the risk engine's `Facts` into a `Case`.
- profiles.py: violation rates among inspected declarations per key (HS, HS x origin,
  enterprise, declarant, gate, partner...), smoothed toward the base rate.
- model.py: a gradient-boosted model (LightGBM) on the profile rates and the declaration's own
  figures, with per-feature reasons.
- backtest.py: a replay of a history in date order where only selected declarations reveal
  their outcome, with weekly refits: hit rate, recall, duties found and AUC per week.
- synthetic.py: a generated history with planted fraud patterns (tests, the command, benches).

The live engine (services), the backtest command and the tests call the same functions.
"""

"""Who gets a check: pure rules over the candidates' figures, no database (the service reads
the figures in a constant number of queries and records this module's reason as an event).

As ASYCUDA weighs work: a declaration counts `per_declaration` points and each goods line
`per_line` more. Among the on-duty specialists of the team covering the declaration's border
gate (document-check officers for documents and audits, inspection officers for goods; the
team leader supervises and is never chosen by these rules):
1. never an officer with a declared conflict of interest with the enterprise;
2. not the officer who handled the enterprise's previous declaration (rotation), unless
   nobody else could take it (then the rotation is waived, and the reason says so);
3. not an officer whose open work has reached their daily capacity;
4. the least open work first; ties go to who was assigned least recently, then the lowest id
   (reproducible).
Nobody left: the check waits in the team's queue (claimable) and the sweeper tries again.
"""

from dataclasses import dataclass
from datetime import datetime


def work_points(lines: int, *, per_declaration: int, per_line: int) -> int:
    return per_declaration + per_line * max(lines, 0)


@dataclass(frozen=True)
class Candidate:
    officer_id: int
    name: str
    open_points: int
    capacity: int
    last_assigned_at: datetime | None = None


@dataclass(frozen=True)
class Choice:
    officer_id: int | None
    reason: str  # English, for the record; `figures` lets a page render it translated
    figures: dict

    @property
    def assigned(self) -> bool:
        return self.officer_id is not None


def _order(candidate: Candidate):
    return (candidate.open_points, candidate.last_assigned_at or datetime.min, candidate.officer_id)


def choose_officer(candidates: list[Candidate], *, points: int, previous_officer_id: int | None,
                   conflicted: frozenset[int] = frozenset()) -> Choice:
    """The officer for a check worth `points`, and why."""
    loads = {c.officer_id: {"name": c.name, "open_points": c.open_points,
                            "capacity": c.capacity} for c in candidates}
    allowed = [c for c in candidates if c.officer_id not in conflicted]
    room = [c for c in allowed if c.open_points + points <= c.capacity]
    rotated = [c for c in room if c.officer_id != previous_officer_id]
    figures = {"points": points, "loads": loads, "conflicted": sorted(conflicted),
               "previous_officer": previous_officer_id}
    if rotated:
        chosen = min(rotated, key=_order)
        return Choice(chosen.officer_id, f"least open work ({chosen.open_points} points) among "
                      f"{len(rotated)} officers with room", {**figures, "rule": "least_load"})
    if room:  # only the previous officer has room: better checked by them than not at all
        chosen = min(room, key=_order)
        return Choice(chosen.officer_id, "rotation waived: no other officer on duty has room",
                      {**figures, "rule": "rotation_waived"})
    why = "no officer on duty" if not candidates else (
        "every officer on duty has a conflict of interest" if not allowed
        else "every officer on duty is at capacity")
    return Choice(None, why, {**figures, "rule": "queue"})

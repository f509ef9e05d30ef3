"""The reporting rollups read from a PostgreSQL streaming replica (DESIGN.md §10), when settings
name a "replica" database (DATABASE_REPLICA_URL); without one this router decides nothing.

Only the rollups go there: DeclarationTimes, Rollup, SegmentRollup, ValueRollup (and their
month-grain copies) and the
RollupState row that says when they were last brought up to date (read from the same place as
the figures it dates). They are derived data that the `reporting` worker rewrites every
ROLLUP_REFRESH_SECONDS anyway, so a replica a few seconds behind shows figures a few seconds
older, and the heavy reads of dashboards, reports and exports leave the primary. Everything
else is read and written on the primary: the declarations, and the revenue targets and export
rows a leader has just saved, so nobody misses their own write. Every write goes to the
primary; migrations never run on the replica (it is read-only: it gets the schema from the
primary's log).

Reads that must see rollups just written go to the primary:
- inside a transaction on the primary (`transaction.atomic`): it may have written what it
  reads, and a replica sees nothing before the commit. (The rebuild and the refresh in
  reporting.rollups read through `connection` in raw SQL: always the primary.)
- inside `with primary():`, for code outside a transaction that compares or reuses rollups it
  has just written: check_rollups and any test comparing reporting.direct with the rollups
  (`direct.stored()` would otherwise read the replica while `direct.compute()` reads the
  primary), and the demo seed that sets revenue targets from the rollups it has just rebuilt.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
ON_REPLICA = frozenset({("reporting", "declarationtimes"), ("reporting", "rollup"),
                        ("reporting", "segmentrollup"), ("reporting", "valuerollup"),
                        ("reporting", "monthrollup"), ("reporting", "monthsegmentrollup"),
                        ("reporting", "monthvaluerollup"), ("reporting", "monthflowsegmentrollup"),
                        ("reporting", "monthflowvaluerollup"), ("reporting", "rollupstate")})

# A context variable, not a global: each request thread (and each task) decides for itself.
_on_primary: ContextVar[bool] = ContextVar("reads_on_primary", default=False)


@contextmanager
def primary() -> Iterator[None]:
    """Every read in the block goes to the primary (read your own writes)."""
    token = _on_primary.set(True)
    try:
        yield
    finally:
        _on_primary.reset(token)


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    """Rollup reads to the replica, everything else to the primary (see the module)."""

    def db_for_read(self, model, **hints) -> str | None:
        if not replica_configured():
            return None
        if ((model._meta.app_label, model._meta.model_name) in ON_REPLICA
                and not _on_primary.get()
                and not connections[DEFAULT_DB_ALIAS].in_atomic_block):
            return REPLICA
        # Explicitly the primary: left to Django, an object loaded from the replica would
        # fetch its related rows (an office, an enterprise) from the replica too.
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints) -> str | None:
        return DEFAULT_DB_ALIAS if replica_configured() else None

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        both = {obj1._state.db, obj2._state.db}
        return True if replica_configured() and both <= {DEFAULT_DB_ALIAS, REPLICA} else None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None

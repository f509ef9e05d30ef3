"""The gate finds declarations by vehicle plate or container number (inspection.selectors.
gate_lookup): GIN indexes (jsonb_path_ops, for `@>`) on the declarations' two lists, only for
the states in which goods may be at the gate, so drafts and waiting submissions cost nothing
on insert. PostgreSQL only: the embedded SQLite default scans, which is fine at its size.
The query's own state filter (GATE_STATES) repeats the predicate so the planner can use them.
"""

from django.db import migrations

STATES = ("'green', 'yellow', 'red', 'doc_check', 'inspection', 'amend_requested', "
          "'violation', 'cleared', 'gate_out', 'seized'")
INDEXES = {"decl_vehicles_at_gate": "vehicles", "decl_containers_at_gate": "containers"}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON declarations_declaration "
            f"USING gin ({column} jsonb_path_ops) WHERE state IN ({STATES})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("inspection", "0001_teams_checks"),
        ("declarations", "0006_vehicles_outcomes_penalties"),
    ]

    operations = [migrations.RunPython(create, drop)]

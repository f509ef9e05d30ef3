"""Triggers that mark a declaration stale for the rollups whenever a row its figures come from
is written: its events, payments, check outcomes and violations, and the declaration's own
reporting fields once registered. In the database, so no write path (a bulk insert, a service
added next year, a fix-up in psql) can forget to tell reporting. PostgreSQL fires once per
statement with the statement's rows (a batch of 200 routed declarations is one INSERT); SQLite
once per row."""

from django.db import migrations

# the declaration columns the rollups read (DeclarationTimes)
WATCHED = ("office_id", "border_gate_id", "flow", "regime_id", "enterprise_id", "currency_id",
           "total_invoice_value", "exchange_rate", "import_duty_vnd", "export_duty_vnd",
           "additional_duty_vnd", "sct_vnd", "ept_vnd", "vat_vnd", "total_duty_vnd")
SOURCES = {  # trigger name -> (table, operation)
    "reporting_stale_event": ("declarations_declarationevent", "INSERT"),
    "reporting_stale_payment": ("declarations_dutypayment", "INSERT"),
    "reporting_stale_outcome": ("declarations_checkoutcome", "INSERT"),
    "reporting_stale_violation": ("declarations_violation", "INSERT"),
}
# an UPDATE of a dated row also marks the moment it leaves (OLD's), so that day is recomputed
MOVABLE = {"reporting_stale_violation_change": ("declarations_violation", "found_at")}
STALE = "reporting_staledeclaration"


def _postgresql() -> list[str]:
    statements = [f"""
        CREATE FUNCTION reporting_mark_stale() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {STALE} (declaration_id, marked_at)
            SELECT DISTINCT declaration_id, now() FROM changed_rows;
            RETURN NULL;
        END $$""", f"""
        CREATE FUNCTION reporting_mark_stale_declaration() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {STALE} (declaration_id, marked_at)
            SELECT n.id, now() FROM changed_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.state <> 'draft' AND ({" OR ".join(f"n.{c} IS DISTINCT FROM o.{c}"
                                                       for c in WATCHED)});
            RETURN NULL;
        END $$"""]
    for name, (table, column) in MOVABLE.items():
        statements.append(f"""
        CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {STALE} (declaration_id, marked_at, at)
            SELECT declaration_id, now(), NULL FROM changed_rows
            UNION ALL SELECT declaration_id, now(), {column} FROM old_rows;
            RETURN NULL;
        END $$""")
        statements.append(f"CREATE TRIGGER {name} AFTER UPDATE ON {table} REFERENCING OLD TABLE "
                          f"AS old_rows NEW TABLE AS changed_rows FOR EACH STATEMENT "
                          f"EXECUTE FUNCTION {name}()")
    for name, (table, operation) in SOURCES.items():
        statements.append(f"CREATE TRIGGER {name} AFTER {operation} ON {table} "
                          f"REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT "
                          f"EXECUTE FUNCTION reporting_mark_stale()")
    statements.append("CREATE TRIGGER reporting_stale_declaration AFTER UPDATE ON "
                      "declarations_declaration REFERENCING OLD TABLE AS old_rows NEW TABLE AS "
                      "changed_rows FOR EACH STATEMENT "
                      "EXECUTE FUNCTION reporting_mark_stale_declaration()")
    return statements


def _sqlite() -> list[str]:
    insert = f"INSERT INTO {STALE} (declaration_id, marked_at, at) VALUES"
    statements = [f"CREATE TRIGGER {name} AFTER {operation} ON {table} FOR EACH ROW BEGIN "
                  f"{insert} (NEW.declaration_id, CURRENT_TIMESTAMP, NULL); END"
                  for name, (table, operation) in SOURCES.items()]
    statements += [f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW BEGIN "
                   f"INSERT INTO {STALE} (declaration_id, marked_at, at) VALUES "
                   f"(NEW.declaration_id, CURRENT_TIMESTAMP, NULL), "
                   f"(OLD.declaration_id, CURRENT_TIMESTAMP, OLD.{column}); END"
                   for name, (table, column) in MOVABLE.items()]
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in WATCHED)
    statements.append(f"CREATE TRIGGER reporting_stale_declaration AFTER UPDATE ON "
                      f"declarations_declaration FOR EACH ROW WHEN NEW.state <> 'draft' AND "
                      f"({changed}) BEGIN {insert} (NEW.id, CURRENT_TIMESTAMP, NULL); END")
    return statements


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in _postgresql() if vendor == "postgresql" else _sqlite():
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for name, (table, _operation) in [*SOURCES.items(),
                                      *((n, (t, "")) for n, (t, _c) in MOVABLE.items()),
                                      ("reporting_stale_declaration",
                                       ("declarations_declaration", ""))]:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}"
                              + (f" ON {table}" if postgresql else ""))
    if postgresql:
        schema_editor.execute("DROP FUNCTION IF EXISTS reporting_mark_stale()")
        schema_editor.execute("DROP FUNCTION IF EXISTS reporting_mark_stale_declaration()")
        for name in MOVABLE:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_initial"),
        ("declarations", "0007_documents_expected"),
    ]
    operations = [migrations.RunPython(create, drop)]

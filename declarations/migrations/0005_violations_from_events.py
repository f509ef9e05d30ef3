# Data migration: every violation recorded before violations had a home was an event
# (to_state="violation", written when an inspection found one). Each becomes a Violation row,
# so the compliance history the risk engine reads counts exactly what it counted before.

from django.db import migrations


def violations_from_events(apps, schema_editor):
    event_model = apps.get_model("declarations", "DeclarationEvent")
    violation_model = apps.get_model("declarations", "Violation")
    events = (event_model.objects.filter(to_state="violation")
              .select_related("declaration").order_by("id"))
    batch = []
    for event in events.iterator(chunk_size=2000):
        batch.append(violation_model(
            declaration_id=event.declaration_id, enterprise_id=event.declaration.enterprise_id,
            violation_type="other", description=event.reason or "Violation found",
            found_by_id=event.actor_id, found_at=event.at,
            found_during="doc_check" if event.from_state == "doc_check" else "inspection"))
        if len(batch) >= 2000:
            violation_model.objects.bulk_create(batch)
            batch = []
    violation_model.objects.bulk_create(batch)


def no_violations(apps, schema_editor):
    apps.get_model("declarations", "Violation").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("declarations", "0004_violation_and_seized"),
    ]

    operations = [
        migrations.RunPython(violations_from_events, no_violations),
    ]

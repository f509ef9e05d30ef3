"""Each check keeps its declaration's border gate (queues filter by gate without joining
declarations): the column added, filled from the declarations, then required."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """UPDATE inspection_check SET border_gate_id = (
    SELECT border_gate_id FROM declarations_declaration
    WHERE declarations_declaration.id = inspection_check.declaration_id)"""


class Migration(migrations.Migration):

    dependencies = [
        ("customs_core", "0002_working_calendar"),
        ("inspection", "0003_queue_indexes_break_ties"),
    ]

    operations = [
        migrations.AddField(
            model_name="check",
            name="border_gate",
            field=models.ForeignKey(db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="customs_core.bordergate",
                                    verbose_name="border gate"),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="check",
            name="border_gate",
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="customs_core.bordergate",
                                    verbose_name="border gate"),
        ),
    ]

# Violations get a home of their own (found at a document check, an inspection or an audit),
# and the seized state; the partial index on violation events is no longer read.

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customs_core', '0001_initial'),
        ('declarations', '0003_risk_models_to_risk_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Violation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('line_no', models.PositiveSmallIntegerField(blank=True, null=True)),
                ('violation_type', models.CharField(choices=[('documents', 'Documents late, missing or not as required'), ('quantity', 'Wrong quantity or weight declared'), ('description', 'Wrong name or description of the goods'), ('hs_code', 'Wrong HS code (tariff classification)'), ('value', 'Wrong customs value declared'), ('origin', 'Wrong origin declared'), ('undeclared', 'Goods not declared'), ('licence', 'Goods needing a licence or permit without one'), ('false_documents', 'False or altered documents'), ('other', 'Other violation')], max_length=20)),
                ('description', models.TextField()),
                ('penalty_vnd', models.DecimalField(decimal_places=0, default=Decimal('0'), max_digits=18)),
                ('penalty_decision_number', models.CharField(blank=True, max_length=64)),
                ('found_at', models.DateTimeField()),
                ('found_during', models.CharField(choices=[('doc_check', 'Document check'), ('inspection', 'Physical inspection'), ('post_clearance_audit', 'Post-clearance audit')], max_length=24)),
            ],
            options={
                'ordering': ['declaration_id', 'found_at', 'id'],
            },
        ),
        migrations.RemoveConstraint(
            model_name='declaration',
            name='declaration_state_valid',
        ),
        migrations.RemoveIndex(
            model_name='declarationevent',
            name='event_violations',
        ),
        migrations.AlterField(
            model_name='declaration',
            name='state',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('scored', 'Scored'), ('green', 'Green channel'), ('yellow', 'Yellow channel'), ('red', 'Red channel'), ('doc_check', 'Document check'), ('inspection', 'Physical inspection'), ('amend_requested', 'Amendment requested'), ('cleared', 'Cleared'), ('gate_out', 'Gate out'), ('violation', 'Violation'), ('seized', 'Goods seized'), ('cancelled', 'Cancelled')], default='draft', max_length=20),
        ),
        migrations.AlterField(
            model_name='declarationevent',
            name='from_state',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('scored', 'Scored'), ('green', 'Green channel'), ('yellow', 'Yellow channel'), ('red', 'Red channel'), ('doc_check', 'Document check'), ('inspection', 'Physical inspection'), ('amend_requested', 'Amendment requested'), ('cleared', 'Cleared'), ('gate_out', 'Gate out'), ('violation', 'Violation'), ('seized', 'Goods seized'), ('cancelled', 'Cancelled')], max_length=20),
        ),
        migrations.AlterField(
            model_name='declarationevent',
            name='to_state',
            field=models.CharField(choices=[('draft', 'Draft'), ('submitted', 'Submitted'), ('scored', 'Scored'), ('green', 'Green channel'), ('yellow', 'Yellow channel'), ('red', 'Red channel'), ('doc_check', 'Document check'), ('inspection', 'Physical inspection'), ('amend_requested', 'Amendment requested'), ('cleared', 'Cleared'), ('gate_out', 'Gate out'), ('violation', 'Violation'), ('seized', 'Goods seized'), ('cancelled', 'Cancelled')], max_length=20),
        ),
        migrations.AddConstraint(
            model_name='declaration',
            constraint=models.CheckConstraint(condition=models.Q(('state__in', ['draft', 'submitted', 'scored', 'green', 'yellow', 'red', 'doc_check', 'inspection', 'amend_requested', 'cleared', 'gate_out', 'violation', 'seized', 'cancelled'])), name='declaration_state_valid'),
        ),
        migrations.AddField(
            model_name='violation',
            name='declaration',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='violations', to='declarations.declaration'),
        ),
        migrations.AddField(
            model_name='violation',
            name='enterprise',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customs_core.enterprise'),
        ),
        migrations.AddField(
            model_name='violation',
            name='found_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='violation',
            name='goods_line',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='declarations.goodsline'),
        ),
        migrations.AddIndex(
            model_name='violation',
            index=models.Index(fields=['enterprise', 'found_at'], name='violation_enterprise_found'),
        ),
        migrations.AddConstraint(
            model_name='violation',
            constraint=models.CheckConstraint(condition=models.Q(('violation_type__in', ['documents', 'quantity', 'description', 'hs_code', 'value', 'origin', 'undeclared', 'licence', 'false_documents', 'other'])), name='violation_type_valid'),
        ),
        migrations.AddConstraint(
            model_name='violation',
            constraint=models.CheckConstraint(condition=models.Q(('found_during__in', ['doc_check', 'inspection', 'post_clearance_audit'])), name='violation_found_during_valid'),
        ),
        migrations.AddConstraint(
            model_name='violation',
            constraint=models.CheckConstraint(condition=models.Q(('penalty_vnd__gte', 0)), name='violation_penalty_not_negative'),
        ),
    ]

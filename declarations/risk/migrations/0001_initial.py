# The risk engine's models, taken over from the declarations app (its migration 0003): a
# state-only move, the tables keep their names (Meta.db_table) and their rows. The content
# types follow, so permissions and admin history stay attached to the same models.

import django.core.validators
import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


MOVED = ["channelchangerequest", "referenceprice", "riskassessment", "riskrule", "riskruleset",
         "routingfailure"]


def content_types_to(app_label_from: str, app_label_to: str):
    def move(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        content_type.objects.filter(app_label=app_label_from, model__in=MOVED).update(
            app_label=app_label_to)
    return move


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('customs_core', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('declarations', '0003_risk_models_to_risk_app'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='ReferencePrice',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('price_usd', models.DecimalField(decimal_places=4, max_digits=14, validators=[django.core.validators.MinValueValidator(Decimal('0.0001'))])),
                        ('note', models.CharField(blank=True, max_length=255)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('tariff_line', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='risk_reference_price', to='customs_core.tariffline')),
                        ('updated_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'declarations_referenceprice',
                        'ordering': ['tariff_line__hs_code'],
                    },
                ),
                migrations.CreateModel(
                    name='RiskRuleset',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.PositiveIntegerField(unique=True)),
                        ('name', models.CharField(max_length=200)),
                        ('is_active', models.BooleanField(default=False)),
                        ('yellow_threshold', models.PositiveIntegerField(default=30)),
                        ('red_threshold', models.PositiveIntegerField(default=70)),
                        ('expected_yellow_percent', models.DecimalField(decimal_places=2, default=Decimal('37.5'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))])),
                        ('expected_red_percent', models.DecimalField(decimal_places=2, default=Decimal('5.0'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))])),
                        ('topup_window', models.PositiveIntegerField(default=100, validators=[django.core.validators.MinValueValidator(20), django.core.validators.MaxValueValidator(10000)])),
                        ('min_random_percent', models.DecimalField(decimal_places=2, default=Decimal('1.0'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))])),
                        ('post_audit_random_percent', models.DecimalField(decimal_places=2, default=Decimal('2.0'), max_digits=5, validators=[django.core.validators.MinValueValidator(Decimal('0')), django.core.validators.MaxValueValidator(Decimal('100'))])),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('activated_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'declarations_riskruleset',
                        'ordering': ['-version'],
                    },
                ),
                migrations.CreateModel(
                    name='RiskRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.SlugField(max_length=40)),
                        ('name', models.CharField(max_length=200)),
                        ('rule_type', models.CharField(choices=[('compliance_history', 'Compliance history (violations)'), ('new_enterprise', 'New enterprise'), ('priority_status', 'Priority (AEO) enterprise'), ('hs_watch', 'HS watch list'), ('origin_country', 'Country of origin'), ('trading_country', 'Trading country'), ('valuation', 'Valuation below the reference price'), ('regime', 'Regime (processing, temporary import)'), ('amendments', 'Number of amendments'), ('enterprise_list', 'Enterprise list'), ('random', 'Random selection')], max_length=24)),
                        ('effect', models.CharField(choices=[('points', 'Adds points to the score'), ('mandatory_red', 'Mandatory red channel'), ('post_audit', 'Post-clearance audit of green declarations')], default='points', max_length=16)),
                        ('params', models.JSONField(blank=True, default=dict)),
                        ('points', models.IntegerField(default=0, validators=[django.core.validators.MinValueValidator(-100), django.core.validators.MaxValueValidator(100)])),
                        ('valid_from', models.DateField(blank=True, null=True)),
                        ('valid_to', models.DateField(blank=True, null=True)),
                        ('is_active', models.BooleanField(default=True)),
                        ('max_hits_without_selection', models.PositiveIntegerField(blank=True, null=True)),
                        ('hits_since_selection', models.PositiveIntegerField(default=0)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('ruleset', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rules', to='risk.riskruleset')),
                    ],
                    options={
                        'db_table': 'declarations_riskrule',
                        'ordering': ['ruleset', 'code'],
                    },
                ),
                migrations.CreateModel(
                    name='RiskAssessment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amendment_count', models.PositiveSmallIntegerField(default=0)),
                        ('score', models.IntegerField()),
                        ('channel', models.CharField(choices=[('green', 'Green'), ('yellow', 'Yellow'), ('red', 'Red')], max_length=8)),
                        ('fired', models.JSONField(default=list)),
                        ('post_audit', models.BooleanField(default=False)),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True)),
                        ('declaration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assessments', to='declarations.declaration')),
                        ('ruleset', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='risk.riskruleset')),
                    ],
                    options={
                        'db_table': 'declarations_riskassessment',
                        'ordering': ['declaration_id', '-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='RoutingFailure',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('error', models.TextField()),
                        ('attempts', models.PositiveSmallIntegerField()),
                        ('at', models.DateTimeField(auto_now_add=True)),
                        ('declaration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='routing_failures', to='declarations.declaration')),
                    ],
                    options={
                        'db_table': 'declarations_routingfailure',
                        'ordering': ['-at'],
                    },
                ),
                migrations.CreateModel(
                    name='ChannelChangeRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('from_channel', models.CharField(choices=[('green', 'Green'), ('yellow', 'Yellow'), ('red', 'Red')], max_length=8)),
                        ('to_channel', models.CharField(choices=[('green', 'Green'), ('yellow', 'Yellow'), ('red', 'Red')], max_length=8)),
                        ('reason', models.TextField()),
                        ('status', models.CharField(choices=[('pending', 'Waiting for the branch leader'), ('approved', 'Approved'), ('rejected', 'Rejected')], default='pending', max_length=10)),
                        ('decision_note', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('decided_at', models.DateTimeField(blank=True, null=True)),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('declaration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='channel_requests', to='declarations.declaration')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'declarations_channelchangerequest',
                        'ordering': ['-created_at'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('status', 'pending')), fields=('declaration',), name='one_pending_request_per_declaration')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='riskruleset',
                    constraint=models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('is_active',), name='one_active_ruleset'),
                ),
                migrations.AddConstraint(
                    model_name='riskruleset',
                    constraint=models.CheckConstraint(condition=models.Q(('red_threshold__gt', models.F('yellow_threshold'))), name='ruleset_red_above_yellow'),
                ),
                migrations.AddConstraint(
                    model_name='riskrule',
                    constraint=models.UniqueConstraint(fields=('ruleset', 'code'), name='rule_code_per_ruleset'),
                ),
                migrations.AddConstraint(
                    model_name='riskrule',
                    constraint=models.CheckConstraint(condition=models.Q(('rule_type__in', ['compliance_history', 'new_enterprise', 'priority_status', 'hs_watch', 'origin_country', 'trading_country', 'valuation', 'regime', 'amendments', 'enterprise_list', 'random'])), name='rule_type_valid'),
                ),
                migrations.AddConstraint(
                    model_name='riskrule',
                    constraint=models.CheckConstraint(condition=models.Q(('effect__in', ['points', 'mandatory_red', 'post_audit'])), name='rule_effect_valid'),
                ),
                migrations.AddConstraint(
                    model_name='riskrule',
                    constraint=models.CheckConstraint(condition=models.Q(('valid_to__isnull', True), ('valid_from__isnull', True), ('valid_to__gte', models.F('valid_from')), _connector='OR'), name='rule_period_ordered'),
                ),
                migrations.AddConstraint(
                    model_name='riskassessment',
                    constraint=models.UniqueConstraint(fields=('declaration', 'ruleset', 'amendment_count'), name='one_assessment_per_version'),
                ),
                migrations.AddConstraint(
                    model_name='riskassessment',
                    constraint=models.CheckConstraint(condition=models.Q(('channel__in', ['green', 'yellow', 'red'])), name='assessment_channel_valid'),
                ),
            ],
        ),
        migrations.RunPython(content_types_to("declarations", "risk"),
                             content_types_to("risk", "declarations")),
    ]

"""The bonded-warehouse registry grows up: the operator is an enterprise (not a name), a licence
with its dates, an address, a capacity in m² or tonnes, a kind, and a suspension instead of an
"active" flag (the status is computed from these)."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone


def operators_from_names(apps, schema_editor):
    BondedWarehouse = apps.get_model("customs_core", "BondedWarehouse")
    Enterprise = apps.get_model("customs_core", "Enterprise")
    for warehouse in BondedWarehouse.objects.all():
        if warehouse.operator_name:
            warehouse.operator = Enterprise.objects.filter(name=warehouse.operator_name).first()
        if not warehouse.is_active:
            warehouse.suspended_since = timezone.localdate()
        warehouse.save(update_fields=["operator", "suspended_since"])


def names_from_operators(apps, schema_editor):
    BondedWarehouse = apps.get_model("customs_core", "BondedWarehouse")
    for warehouse in BondedWarehouse.objects.select_related("operator"):
        warehouse.operator_name = warehouse.operator.name if warehouse.operator else ""
        warehouse.is_active = warehouse.suspended_since is None
        warehouse.save(update_fields=["operator_name", "is_active"])


class Migration(migrations.Migration):

    dependencies = [
        ("customs_core", "0002_working_calendar"),
    ]

    operations = [
        migrations.RenameField("bondedwarehouse", "capacity_m2", "capacity"),
        migrations.AlterField(
            model_name="bondedwarehouse", name="capacity",
            field=models.PositiveIntegerField(default=0, verbose_name="capacity")),
        migrations.AddField(
            model_name="bondedwarehouse", name="capacity_unit",
            field=models.CharField(choices=[("m2", "m²"), ("t", "tonnes")], default="m2",
                                   max_length=2, verbose_name="capacity unit")),
        migrations.AddField(
            model_name="bondedwarehouse", name="kind",
            field=models.CharField(choices=[("bonded_warehouse", "Bonded warehouse"),
                                            ("duty_free_shop", "Duty-free shop")],
                                   default="bonded_warehouse", max_length=20,
                                   verbose_name="kind")),
        migrations.AddField(
            model_name="bondedwarehouse", name="operator",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.PROTECT,
                                    related_name="operated_warehouses",
                                    to="customs_core.enterprise", verbose_name="operator")),
        migrations.AddField(
            model_name="bondedwarehouse", name="address",
            field=models.CharField(blank=True, max_length=255, verbose_name="address")),
        migrations.AddField(
            model_name="bondedwarehouse", name="licence_number",
            field=models.CharField(blank=True, max_length=40, verbose_name="licence number")),
        migrations.AddField(
            model_name="bondedwarehouse", name="licence_valid_from",
            field=models.DateField(blank=True, null=True, verbose_name="licence valid from")),
        migrations.AddField(
            model_name="bondedwarehouse", name="licence_valid_to",
            field=models.DateField(blank=True, null=True, verbose_name="licence valid to")),
        migrations.AddField(
            model_name="bondedwarehouse", name="suspended_since",
            field=models.DateField(blank=True, null=True, verbose_name="suspended since")),
        migrations.AddField(
            model_name="bondedwarehouse", name="suspension_reason",
            field=models.CharField(blank=True, max_length=500,
                                   verbose_name="reason for the suspension")),
        migrations.RunPython(operators_from_names, names_from_operators),
        migrations.RemoveField("bondedwarehouse", "operator_name"),
        migrations.RemoveField("bondedwarehouse", "is_active"),
        migrations.AddConstraint(
            model_name="bondedwarehouse",
            constraint=models.CheckConstraint(
                condition=models.Q(kind__in=["bonded_warehouse", "duty_free_shop"]),
                name="warehouse_kind_valid")),
        migrations.AddConstraint(
            model_name="bondedwarehouse",
            constraint=models.CheckConstraint(condition=models.Q(capacity_unit__in=["m2", "t"]),
                                              name="warehouse_capacity_unit_valid")),
        migrations.AddConstraint(
            model_name="bondedwarehouse",
            constraint=models.CheckConstraint(
                condition=models.Q(licence_valid_to__isnull=True)
                | models.Q(licence_valid_from__isnull=True)
                | models.Q(licence_valid_to__gte=models.F("licence_valid_from")),
                name="warehouse_licence_dates_ordered")),
    ]

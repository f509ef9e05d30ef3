# Capacity that ranks: ceilings on the yellow and red shares (empty: no ceiling), never below
# the expected share. Above one, a declaration in that channel by its score alone that does not
# rank among the top expected share of the window is lowered one channel.

from decimal import Decimal

import django.core.validators
from django.db import migrations, models

PERCENT = [django.core.validators.MinValueValidator(Decimal("0")),
           django.core.validators.MaxValueValidator(Decimal("100"))]


def not_below_expected(channel: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=models.Q((f"max_{channel}_percent__isnull", True),
                           (f"max_{channel}_percent__gte",
                            models.F(f"expected_{channel}_percent")), _connector="OR"),
        name=f"ruleset_max_{channel}_not_below_expected")


class Migration(migrations.Migration):

    dependencies = [
        ("risk", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="riskruleset", name="max_red_percent",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True,
                                      validators=PERCENT),
        ),
        migrations.AddField(
            model_name="riskruleset", name="max_yellow_percent",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True,
                                      validators=PERCENT),
        ),
        migrations.AddConstraint(model_name="riskruleset",
                                 constraint=not_below_expected("yellow")),
        migrations.AddConstraint(model_name="riskruleset", constraint=not_below_expected("red")),
    ]

# The risk engine became a Django app of its own (declarations.risk, label "risk"). Its six
# models leave this app's state only: the tables stay where they are, with their data, and
# risk/migrations/0001_initial.py takes them over under the same table names.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('declarations', '0002_risk_routing'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.RemoveField(
                    model_name='channelchangerequest',
                    name='decided_by',
                ),
                migrations.RemoveField(
                    model_name='channelchangerequest',
                    name='declaration',
                ),
                migrations.RemoveField(
                    model_name='channelchangerequest',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='referenceprice',
                    name='tariff_line',
                ),
                migrations.RemoveField(
                    model_name='referenceprice',
                    name='updated_by',
                ),
                migrations.RemoveField(
                    model_name='riskassessment',
                    name='declaration',
                ),
                migrations.RemoveField(
                    model_name='riskassessment',
                    name='ruleset',
                ),
                migrations.RemoveField(
                    model_name='riskrule',
                    name='ruleset',
                ),
                migrations.RemoveField(
                    model_name='riskruleset',
                    name='created_by',
                ),
                migrations.RemoveField(
                    model_name='routingfailure',
                    name='declaration',
                ),
                migrations.DeleteModel(
                    name='ChannelChangeRequest',
                ),
                migrations.DeleteModel(
                    name='ReferencePrice',
                ),
                migrations.DeleteModel(
                    name='RiskAssessment',
                ),
                migrations.DeleteModel(
                    name='RiskRule',
                ),
                migrations.DeleteModel(
                    name='RiskRuleset',
                ),
                migrations.DeleteModel(
                    name='RoutingFailure',
                ),
            ],
        ),
    ]

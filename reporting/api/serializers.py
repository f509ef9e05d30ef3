"""The reports API's shapes. The figures are rendered by reporting.serializing.plain (the one
JSON the API, the pages' charts and the exports share); the output serializers here describe
that JSON for the schema, and the fuzzing checks every response against them. Money is an
exact decimal string (USD to the cent, VND whole), durations whole seconds (null when nothing
was measured), months YYYY-MM."""

from rest_framework import serializers

from customs_core.api.serializing import StrictSerializer
from customs_core.choices import Flow
from reporting.models import ReportExport


def _usd(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=24, decimal_places=2, **kwargs)


def _vnd(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=24, decimal_places=0, **kwargs)


def _seconds() -> serializers.IntegerField:
    return serializers.IntegerField(allow_null=True, help_text="Seconds; null: none measured.")


def _percent() -> serializers.FloatField:
    return serializers.FloatField(allow_null=True, help_text="Percent (0-100, one decimal); "
                                                             "null: nothing to divide by.")


CHANNEL_HELP = 'green, yellow or red; "" (where given): all channels together.'


# --- the filters -----------------------------------------------------------------------------
class ReportFilterQuerySerializer(serializers.Serializer):
    """The dashboard's filters as query parameters (checked by reporting.forms)."""

    date_from = serializers.DateField(required=False, help_text="First day (default: 1 "
                                                                "January of this year).")
    date_to = serializers.DateField(required=False, help_text="Last day (default: today); "
                                                              "at most three years after "
                                                              "date_from.")
    flow = serializers.ChoiceField(choices=Flow.choices, required=False, allow_blank=True,
                                   help_text='"" or absent: imports and exports.')
    regime = serializers.CharField(required=False, allow_blank=True, max_length=8,
                                   help_text="A regime code (A11, B11, ...).")
    border_gate = serializers.CharField(required=False, allow_blank=True, max_length=16,
                                        help_text="A border gate's code.")


class ExportInputSerializer(StrictSerializer, ReportFilterQuerySerializer):
    """An export's filters, as the dashboard's query parameters."""


class FiltersOutputSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    flow = serializers.CharField(help_text='import, export or "" (both).')
    regime = serializers.CharField(help_text='A regime code or "" (all).')
    border_gate = serializers.CharField(help_text='A border gate\'s code or "" (all).')


# --- the dashboard's figures -------------------------------------------------------------------
class ChannelCountsSerializer(serializers.Serializer):
    green = serializers.IntegerField()
    yellow = serializers.IntegerField()
    red = serializers.IntegerField()


class TotalsOutputSerializer(serializers.Serializer):
    registered = serializers.IntegerField(help_text="Declarations registered in the period.")
    cleared = serializers.IntegerField()
    invoice_usd = _usd(help_text="Turnover: invoice value of the declarations registered.")
    total_duty_vnd = _vnd(help_text="Duties assessed on the declarations registered.")
    collected_vnd = _vnd(help_text="Budget revenue: duty payments received.")
    document_checks = serializers.IntegerField()
    inspections = serializers.IntegerField()
    checks_concluded = serializers.IntegerField()
    checks_with_violation = serializers.IntegerField()
    violations = serializers.IntegerField()
    penalties_vnd = _vnd()
    channels = ChannelCountsSerializer(help_text="Declarations registered, per channel.")
    green_share = _percent()
    hit_rate = _percent()


class FiguresOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    mean_seconds = _seconds()
    median_seconds = _seconds()
    p90_seconds = _seconds()


class ClearanceOutputSerializer(FiguresOutputSerializer):
    channel = serializers.CharField(help_text=CHANNEL_HELP)
    flow = serializers.CharField(help_text='import, export or "" (both).')


class TimeReleaseOutputSerializer(FiguresOutputSerializer):
    channel = serializers.CharField(help_text="green, yellow or red.")
    segment = serializers.CharField(help_text="A WCO Time Release segment: "
                                              "registration_channel, channel_check, "
                                              "check_decision, decision_paid, paid_cleared, "
                                              "cleared_gate_out, end_to_end.")


class MonthlyOutputSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    declarations = serializers.IntegerField()
    turnover_usd = _usd()
    revenue_vnd = _vnd()
    previous_declarations = serializers.IntegerField(help_text="The same month a year before.")
    previous_turnover_usd = _usd()
    previous_revenue_vnd = _vnd()


class ChannelMixOutputSerializer(ChannelCountsSerializer):
    month = serializers.CharField(help_text="YYYY-MM")


class TopOutputSerializer(serializers.Serializer):
    ref = serializers.CharField(help_text="The HS chapter, or the enterprise's id.")
    label = serializers.CharField(help_text="The chapter, or the enterprise's name.")
    declarations = serializers.IntegerField()
    invoice_usd = _usd()


class RevenueOutputSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    target_vnd = _vnd(allow_null=True, help_text="null: no target entered for the year.")
    collected_vnd = _vnd(help_text="Collected from 1 January to today (or the year's end).")
    projected_vnd = _vnd(allow_null=True, help_text="Projected to the year's end.")
    percent_to_date = _percent()
    percent_projected = _percent()
    profile = serializers.CharField(help_text="last_year: projected with last year's monthly "
                                              "profile; linear: in the days elapsed.")


class SatisfactionOutputSerializer(serializers.Serializer):
    ratings = serializers.IntegerField()
    index = serializers.FloatField(allow_null=True, help_text="0-100; null: nobody rated.")


class DashboardOutputSerializer(serializers.Serializer):
    filters = FiltersOutputSerializer()
    totals = TotalsOutputSerializer()
    revenue = RevenueOutputSerializer(help_text="The year of date_to, against its target.")
    clearance = ClearanceOutputSerializer(many=True, help_text="Registration to cleared, per "
                                                               "channel and flow.")
    time_release = TimeReleaseOutputSerializer(many=True)
    monthly = MonthlyOutputSerializer(many=True)
    channel_mix = ChannelMixOutputSerializer(many=True)
    top_chapters = TopOutputSerializer(many=True)
    top_enterprises = TopOutputSerializer(many=True)
    satisfaction = SatisfactionOutputSerializer(allow_null=True)


# --- an enterprise's own figures ----------------------------------------------------------------
class OwnClearanceOutputSerializer(serializers.Serializer):
    channel = serializers.CharField(help_text=CHANNEL_HELP)
    own = FiguresOutputSerializer(help_text="Your declarations cleared in the period.")
    branch = FiguresOutputSerializer(help_text="Every declaration of the branch, together.")


class PaidOutputSerializer(serializers.Serializer):
    month = serializers.CharField(help_text="YYYY-MM")
    paid_vnd = _vnd()


class EnterpriseFiguresOutputSerializer(serializers.Serializer):
    filters = FiltersOutputSerializer()
    channels = ChannelCountsSerializer(help_text="Your declarations registered, per channel.")
    declarations = serializers.IntegerField(help_text="Your declarations registered (routed "
                                                      "or not).")
    clearance = OwnClearanceOutputSerializer(many=True)
    paid_by_month = PaidOutputSerializer(many=True)


# --- revenue targets -----------------------------------------------------------------------------
class RevenueTargetOutputSerializer(serializers.Serializer):
    office = serializers.CharField(source="office.code")
    office_name = serializers.CharField(source="office.name")
    year = serializers.IntegerField()
    amount_vnd = _vnd()
    updated_by = serializers.CharField(source="updated_by.username")
    updated_at = serializers.DateTimeField()


class RevenueTargetInputSerializer(StrictSerializer):
    amount_vnd = serializers.DecimalField(max_digits=20, decimal_places=0, min_value=1,
                                          help_text="The year's budget revenue target, whole "
                                                    "VND.")


# --- exports ---------------------------------------------------------------------------------
class ReportExportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=ReportExport.State.choices)
    progress = serializers.IntegerField(help_text="Percent built.")
    url = serializers.URLField(allow_null=True, help_text="The file, once the state is done.")
    error = serializers.CharField(help_text="Why it failed (empty otherwise).")
    filters = FiltersOutputSerializer()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)

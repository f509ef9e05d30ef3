"""Serializers of the bonded-warehouse API. Quantities are decimal strings in the goods line's
unit (3 decimals), as in the declarations API."""

from decimal import Decimal

from rest_framework import serializers

from customs_core.api.serializing import StrictSerializer
from customs_core.choices import WarehouseKind, WarehouseStatus
from declarations.models import MAX_QUANTITY

from ..choices import DrawState, HeldState, MovementKind

QUANTITY = {"max_digits": 16, "decimal_places": 3}
REASON = {"max_length": 2000, "allow_blank": False, "trim_whitespace": True}


class WarehouseOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    kind = serializers.ChoiceField(choices=WarehouseKind.choices)
    status = serializers.ChoiceField(choices=WarehouseStatus.choices)
    office = serializers.CharField(source="office.code")
    operator = serializers.CharField(source="operator.tax_code", allow_null=True)
    operator_name = serializers.CharField(source="operator.name", allow_null=True)
    address = serializers.CharField()
    capacity = serializers.IntegerField()
    capacity_unit = serializers.CharField()
    licence_number = serializers.CharField()
    licence_valid_from = serializers.DateField(allow_null=True)
    licence_valid_to = serializers.DateField(allow_null=True)
    suspended_since = serializers.DateField(allow_null=True)


class StockItemOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    warehouse = serializers.CharField(source="warehouse.code")
    owner = serializers.CharField(source="owner.tax_code")
    owner_name = serializers.CharField(source="owner.name")
    hs_code = serializers.CharField(source="tariff_line.hs_code")
    description = serializers.CharField()
    lot = serializers.CharField()
    unit = serializers.CharField()
    quantity = serializers.DecimalField(**QUANTITY)
    reserved = serializers.DecimalField(**QUANTITY)
    available = serializers.DecimalField(**QUANTITY)
    entered_on = serializers.DateField()
    term_until = serializers.DateField()
    overdue_since = serializers.DateField(allow_null=True)


class MovementOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    warehouse = serializers.CharField(source="warehouse.code")
    item = serializers.IntegerField(source="item_id")
    lot = serializers.CharField(source="item.lot")
    kind = serializers.ChoiceField(choices=MovementKind.choices)
    quantity = serializers.DecimalField(**QUANTITY)
    balance_after = serializers.DecimalField(**QUANTITY)
    declaration = serializers.CharField(source="declaration.number", allow_null=True,
                                        default=None)
    line_no = serializers.IntegerField(allow_null=True)
    transfer = serializers.UUIDField(allow_null=True)
    reason = serializers.CharField()


class TransferOutputSerializer(serializers.Serializer):
    out = MovementOutputSerializer()
    into = MovementOutputSerializer(source="in_")


class ExtensionOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item_id")
    previous_until = serializers.DateField()
    until = serializers.DateField()
    reason = serializers.CharField()
    at = serializers.DateTimeField()


class HeldOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item_id")
    warehouse = serializers.CharField(source="item.warehouse.code")
    lot = serializers.CharField(source="item.lot")
    kind = serializers.ChoiceField(choices=[(MovementKind.IN, MovementKind.IN.label),
                                            (MovementKind.OUT, MovementKind.OUT.label)])
    quantity = serializers.DecimalField(**QUANTITY)
    declaration = serializers.CharField(source="declaration.number")
    line_no = serializers.IntegerField()
    state = serializers.ChoiceField(choices=HeldState.choices)
    why = serializers.ChoiceField(choices=WarehouseStatus.choices)
    reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class DrawOutputSerializer(serializers.Serializer):
    line_no = serializers.IntegerField()
    stock_item = serializers.IntegerField(source="item_id")
    lot = serializers.CharField(source="item.lot")
    quantity = serializers.DecimalField(**QUANTITY)
    state = serializers.ChoiceField(choices=DrawState.choices)


class AdjustmentInputSerializer(StrictSerializer):
    quantity = serializers.DecimalField(**QUANTITY, min_value=-MAX_QUANTITY,
                                        max_value=MAX_QUANTITY,
                                        help_text="Signed: positive adds, negative removes.")
    reason = serializers.CharField(**REASON)


class TransferInputSerializer(StrictSerializer):
    to_warehouse = serializers.CharField(max_length=16)
    quantity = serializers.DecimalField(**QUANTITY, min_value=Decimal("0.001"),
                                        max_value=MAX_QUANTITY)
    reason = serializers.CharField(**REASON)


class ExtensionInputSerializer(StrictSerializer):
    until = serializers.DateField()
    reason = serializers.CharField(**REASON)


class DecisionInputSerializer(StrictSerializer):
    reason = serializers.CharField(**REASON)


class DrawInputSerializer(StrictSerializer):
    line_no = serializers.IntegerField(min_value=1, max_value=50)
    stock_item = serializers.IntegerField(min_value=1, max_value=2**62)


class DrawsInputSerializer(StrictSerializer):
    draws = DrawInputSerializer(many=True, max_length=50)

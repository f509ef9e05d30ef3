"""Serializers built once and reused: parsing and rendering without DRF's per-instance copy.

DRF deep-copies every declared field each time a serializer is instantiated (`get_fields`):
for a declaration with its goods lines that was ~100 field constructions and ~3.5 ms of a
~12 ms POST. Validation (`run_validation`) and rendering (`to_representation`) keep no state on
the serializer, so one prototype per class serves every request; the classes stay the schema
(drf-spectacular reads them) and the fuzzing checks responses against it.
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.settings import api_settings

_PROTOTYPES: dict[type, serializers.BaseSerializer] = {}


def prototype(serializer_class: type[serializers.BaseSerializer]) -> serializers.BaseSerializer:
    """The one instance of `serializer_class` (fields built on first use)."""
    instance = _PROTOTYPES.get(serializer_class)
    if instance is None:
        instance = _PROTOTYPES[serializer_class] = serializer_class()
        instance.fields  # noqa: B018 - build (and cache) the fields now, not per request
    return instance


def parse(serializer_class: type[serializers.BaseSerializer], data) -> dict:
    """Validated data, or a DRF ValidationError (400 with field messages, always an object:
    a body that is not one answers as `serializer(data=...).is_valid()` would)."""
    if not isinstance(data, Mapping):
        message = serializers.Serializer.default_error_messages["invalid"].format(
            datatype=type(data).__name__)
        raise serializers.ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [message]})
    return prototype(serializer_class).run_validation(data)


def represent(serializer_class: type[serializers.BaseSerializer], instance) -> dict:
    """`serializer_class(instance).data`, without building the fields again."""
    return prototype(serializer_class).to_representation(instance)


def represent_many(serializer_class: type[serializers.BaseSerializer], instances) -> list:
    render = prototype(serializer_class).to_representation
    return [render(instance) for instance in instances]


class StrictSerializer(serializers.Serializer):
    """Unknown fields are a 400, not silently ignored (a typo must not drop data), at every
    level: nested goods lines too."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Unknown field.")] for name in sorted(unknown)})
        return super().to_internal_value(data)

"""Serializers built once and reused: parsing and rendering without DRF's per-instance copy.

DRF deep-copies every declared field each time a serializer is instantiated (`get_fields`):
for a declaration with its goods lines that was ~100 field constructions and ~3.5 ms of a
~12 ms POST. Validation (`run_validation`) and rendering (`to_representation`) keep no state on
the serializer, so one prototype per class serves every request; the classes stay the schema
(drf-spectacular reads them) and the fuzzing checks responses against it.
"""

import types
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import SkipField
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


class _Renderer:
    """`Serializer.to_representation` for one serializer class, planned once: each readable
    field's source path, and a renderer of its own for nested serializers. An attribute is
    read with plain getattr and the field's own to_representation formats it; anything off the
    plain path (a missing attribute, a default, a method field) goes through DRF's own
    get_attribute, so the output is DRF's to the byte (tested against `.data`)."""

    def __init__(self, serializer: serializers.Serializer):
        self.plan = []
        for field in serializer._readable_fields:
            child = None
            if isinstance(field, serializers.ListSerializer):
                child = _renderer(field.child)
            elif isinstance(field, serializers.Serializer):
                child = _renderer(field)
            plain = not isinstance(field, serializers.SerializerMethodField) \
                and field.source != "*"
            self.plan.append((field.field_name, field, tuple(field.source_attrs), plain,
                              child, isinstance(field, serializers.ListSerializer)))

    def __call__(self, instance) -> dict:
        out = {}
        for name, field, attrs, plain, child, many in self.plan:
            if plain:
                try:
                    value = instance
                    for attr in attrs:
                        value = value[attr] if isinstance(value, Mapping) \
                            else getattr(value, attr)
                        if isinstance(value, _CALLED):  # `lines.all`: as DRF, call methods
                            value = value()
                except (AttributeError, KeyError):  # DRF decides: default, null, skip
                    try:
                        value = field.get_attribute(instance)
                    except SkipField:
                        continue
            else:
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
            if value is None:
                out[name] = None
            elif child is not None:
                out[name] = [child(item) for item in value] if many else child(value)
            else:
                out[name] = field.to_representation(value)
        return out


_RENDERERS: dict[int, _Renderer] = {}
_CALLED = (types.MethodType, types.FunctionType)


def _renderer(serializer: serializers.Serializer) -> _Renderer:
    renderer = _RENDERERS.get(id(serializer))
    if renderer is None:
        renderer = _RENDERERS[id(serializer)] = _Renderer(serializer)
    return renderer


def represent(serializer_class: type[serializers.BaseSerializer], instance) -> dict:
    """`serializer_class(instance).data`, without building the fields again."""
    return _renderer(prototype(serializer_class))(instance)


def represent_many(serializer_class: type[serializers.BaseSerializer], instances) -> list:
    render = _renderer(prototype(serializer_class))
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

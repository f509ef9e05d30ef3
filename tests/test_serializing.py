"""The serializers built once (customs_core.api.serializing) answer exactly what DRF's own
`Serializer(instance).data` and `is_valid()` would."""

import json

import pytest
from rest_framework.exceptions import ValidationError

from customs_core.api.serializing import parse, represent, represent_many
from declarations.api.serializers import (
    DeclarationInputSerializer,
    DeclarationListOutputSerializer,
    DeclarationOutputSerializer,
)
from declarations.selectors import declaration_detail_for, declarations_visible_to
from declarations.testing import declaration_make, declaration_payload

pytestmark = pytest.mark.django_db


def _same(a, b):
    return json.loads(json.dumps(a, default=str)) == json.loads(json.dumps(b, default=str))


@pytest.mark.parametrize("state", ["draft", "submitted", "cleared", "cancelled", "red"])
def test_a_declaration_renders_as_drf_renders_it(declarant_a, doc_checker, state):
    made = declaration_make(state=state, user=declarant_a, preferential=state == "submitted")
    declaration = declaration_detail_for(doc_checker, made.pk)
    assert _same(represent(DeclarationOutputSerializer, declaration),
                 DeclarationOutputSerializer(declaration).data)


def test_a_list_renders_as_drf_renders_it(declarant_a, doc_checker):
    for state in ("draft", "green", "gate_out"):
        declaration_make(state=state, user=declarant_a)
    rows = list(declarations_visible_to(doc_checker))
    assert _same(represent_many(DeclarationListOutputSerializer, rows),
                 DeclarationListOutputSerializer(rows, many=True).data)


def test_parsing_validates_as_drf_does(reference_data):
    good = declaration_payload()
    serializer = DeclarationInputSerializer(data=good)
    assert serializer.is_valid()
    assert parse(DeclarationInputSerializer, good) == serializer.validated_data
    bad = dict(good, colour="red")
    with pytest.raises(ValidationError) as refused:
        parse(DeclarationInputSerializer, bad)
    assert set(refused.value.detail) == {"colour"}  # unknown fields first, as before
    nested = dict(good, lines=[dict(good["lines"][0], typo="x")])
    with pytest.raises(ValidationError) as refused:
        parse(DeclarationInputSerializer, nested)
    assert "typo" in refused.value.detail["lines"][0]
    for body in (None, [], "text"):
        with pytest.raises(ValidationError) as refused:
            parse(DeclarationInputSerializer, body)
        assert "non_field_errors" in refused.value.detail

"""Test helpers of the declarations app: valid payloads and declarations in any state."""

import io
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from customs_core.services import exchange_rate_publish

USD_RATE = Decimal("26180")
CNY_RATE = Decimal("3649.52")

# Three lines of goods that cross at Mong Cai, all with an ACFTA rate below MFN.
LINES = [
    {"hs_code": "19023040", "description": "Mì ăn liền", "origin_country": "CN",
     "quantity": "1200", "unit_price": "1.25"},
    {"hs_code": "17049099", "description": "Kẹo các loại", "origin_country": "CN",
     "quantity": "800", "unit_price": "2.10"},
    {"hs_code": "21039013", "description": "Nước mắm", "origin_country": "CN",
     "quantity": "500", "unit_price": "1.60"},
]


def publish_rates() -> None:
    """This week's customs rates, so a declaration can be registered today."""
    today = timezone.localdate()
    for week in (today, today - timedelta(days=7)):
        exchange_rate_publish(currency="USD", week=week, rate_vnd=USD_RATE)
        exchange_rate_publish(currency="CNY", week=week, rate_vnd=CNY_RATE)


def declaration_payload(*, lines: list[dict] | None = None, preferential: bool = False,
                        **overrides) -> dict:
    """A valid API body for an A11 import by road at Mong Cai, invoice total = sum of lines."""
    lines = [dict(line, preferential_claimed=preferential)
             for line in (LINES if lines is None else lines)]
    total = sum(Decimal(line["quantity"]) * Decimal(line["unit_price"]) for line in lines)
    payload = {
        "flow": "import", "regime": "A11", "office": "20BB", "border_gate": "MCBL1",
        "transport_mode": "road", "trading_country": "CN",
        "partner_name": "Dongxing Huaxin Trading Co., Ltd.", "invoice_number": "HX-2026-118",
        "invoice_date": (timezone.localdate() - timedelta(days=3)).isoformat(),
        "incoterm": "DAP", "currency": "USD", "total_invoice_value": str(total),
        "gross_weight_kg": "3150.5", "packages": 240, "containers": ["CSQU3054383"],
        "lines": lines,
    }
    payload.update(overrides)
    return payload


def pdf_file(name: str = "co-form-e.pdf") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def pdf_bytes() -> io.BytesIO:
    return io.BytesIO(pdf_file().read())


def parse(payload: dict) -> dict:
    """A payload as the API's input serializer hands it to the services."""
    from declarations.api.serializers import DeclarationInputSerializer

    serializer = DeclarationInputSerializer(data=payload)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def publish_rates_for(request) -> None:
    """For an autouse fixture: this week's rates in every database test that asks for one."""
    for name in ("transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            request.getfixturevalue("reference_data")
            publish_rates()
            return


def walk_to(declaration, state: str, *, officer=None):
    """Move a submitted declaration to `state` through the real transitions: the risk engine
    routes it green (no random selection in the active ruleset), an officer raises the
    channel, the document check or the inspection starts.

    `state` is one of green, yellow, doc_check, amend_requested, red, inspection.
    """
    from customs_core.testing.factories import UserFactory

    from .risk.services import declaration_raise_channel, declaration_route, ruleset_active
    from .workflow import transition

    ruleset = ruleset_active()
    if ruleset.min_random_percent or ruleset.post_audit_random_percent:
        ruleset.min_random_percent = ruleset.post_audit_random_percent = Decimal(0)
        ruleset.save()
    declaration_route(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    assert declaration.state == "green", declaration.state
    channel = {"doc_check": "yellow", "amend_requested": "yellow",
               "inspection": "red"}.get(state, state)
    if channel != "green":
        raiser = officer or UserFactory(role="doc_check")
        declaration_raise_channel(declaration=declaration, by=raiser, channel=channel,
                                  reason="Kiểm tra")
        declaration.refresh_from_db()
    if state in {"doc_check", "amend_requested"}:
        checker = UserFactory(role="doc_check")
        transition(declaration, to="doc_check", by=checker)
        if state == "amend_requested":
            transition(declaration, to="amend_requested", by=checker, reason="Sai mã HS")
    if state == "inspection":
        transition(declaration, to="inspection", by=UserFactory(role="inspection"))
    declaration.refresh_from_db()
    assert declaration.state == state, declaration.state
    return declaration

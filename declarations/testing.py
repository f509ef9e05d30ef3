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


# --- declarations in any state ------------------------------------------------------------------
# The path from draft to each state, as (to, actor role, reason) steps through transition():
# the same table, the same conditional UPDATE and event rows as production (never .update()).
_PATHS: dict[str, list[tuple]] = {
    "draft": [],
    "cancelled": [("cancelled", "enterprise", "")],
    "submitted": ["submit"],
    "scored": ["submit", ("scored", "system", "")],
    "green": ["submit", "route:green"],
    "yellow": ["submit", "route:yellow"],
    "red": ["submit", "route:red"],
    "doc_check": ["submit", "route:yellow", ("doc_check", "doc_check", "")],
    "amend_requested": ["submit", "route:yellow", ("doc_check", "doc_check", ""),
                        ("amend_requested", "doc_check", "Attach the packing list.")],
    "inspection": ["submit", "route:red", ("inspection", "inspection", "")],
    "violation": ["submit", "route:red", ("inspection", "inspection", ""),
                  ("violation", "inspection", "Quantity found differs from declared.")],
    "seized": ["submit", "route:red", ("inspection", "inspection", ""),
               ("violation", "inspection", "Quantity found differs from declared."),
               ("seized", "inspection", "Decision 12/QĐ-TTHQ: goods seized.")],
    "cleared": ["submit", "route:green", "pay", "clear"],
    "gate_out": ["submit", "route:green", "pay", "clear", ("gate_out", "inspection", "")],
}
FACTORY_STATES = tuple(_PATHS)


def _actor(role: str):
    from customs_core.testing.factories import UserFactory

    return UserFactory(username=f"factory_{role}", role=role)


def declaration_make(*, state: str = "draft", lines: int = 3, user=None,
                     preferential: bool = False, **overrides):
    """A declaration in `state`, built through the real services and transitions, events
    included: DeclarationFactory(state="red", lines=3)."""
    from customs_core.testing.factories import DeclarantFactory
    from declarations import services
    from declarations.choices import DeclarationState as S
    from declarations.models import Declaration
    from declarations.workflow import transition

    if state not in _PATHS:
        raise ValueError(f"no path to state {state!r}; known: {', '.join(FACTORY_STATES)}")
    user = user or DeclarantFactory()
    chosen = [dict(LINES[n % len(LINES)], description=f"{LINES[n % len(LINES)]['description']} "
                   f"{n + 1}") for n in range(lines)]
    payload = declaration_payload(lines=chosen, preferential=preferential, **overrides)
    documents = ([{"doc_type": "certificate_of_origin", "co_form": "E", "reference": "E26VN0001",
                   "file": pdf_file()}] if preferential else [])
    declaration = services.declaration_create_draft(user=user, data=parse(payload),
                                                    documents=documents)
    for step in _PATHS[state]:
        declaration = Declaration.objects.get(pk=declaration.pk)
        if step == "submit":
            services.declaration_submit(declaration=declaration, user=user)
        elif isinstance(step, str) and step.startswith("route:"):
            channel = step.split(":")[1]
            transition(declaration, to=[S.SCORED, channel], by=None, channel=channel)
        elif step == "pay":
            if declaration.outstanding_vnd > 0:
                services.declaration_pay(declaration=declaration, user=user,
                                         amount_vnd=declaration.outstanding_vnd,
                                         reference=f"KB-F{declaration.pk:08d}")
        elif step == "clear":
            if declaration.state == S.GREEN:
                from django.utils import timezone

                transition(declaration, to=S.CLEARED, by=None, cleared_at=timezone.now())
        else:
            to, role, reason = step
            by = (user if role == "enterprise" else None if role == "system"
                  else _actor(role))
            transition(declaration, to=to, by=by, reason=reason)
    return Declaration.objects.get(pk=declaration.pk)


class DeclarationFactory:
    """DeclarationFactory(state="red", lines=3, user=declarant): see declaration_make."""

    def __new__(cls, **kwargs):
        return declaration_make(**kwargs)

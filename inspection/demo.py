"""The inspection app's part of the demo: the two teams with their officers (the demo accounts
of customs_core and a few more colleagues, all with DEMO_PASSWORD), one declared conflict of
interest, and a check for every declaration of the history still waiting in yellow or red
(the sweeper opens and assigns them, as it would after a broker outage)."""

from django.db import transaction
from stdnum import iso6346

from customs_core.choices import Role
from customs_core.demo import DEMO_PASSWORD
from customs_core.models import Enterprise, User

from .assigning import checks_sweep
from .models import ConflictOfInterest, Team, TeamMember
from .reference import teams_load

# username, role, full name, team, daily capacity (points); None as username: an account
# of customs_core's demo (created there), joined to the team here.
COLLEAGUES = [
    ("teamlead", Role.TEAM_LEADER, None, "GSKT1", 120),
    ("doccheck", Role.DOC_CHECK, None, "GSKT1", 300),
    ("inspector", Role.INSPECTION, None, "GSKT1", 200),
    ("doccheck1b", Role.DOC_CHECK, "Ngô Thị Hồng", "GSKT1", 300),
    ("inspector1b", Role.INSPECTION, "Bùi Văn Khánh", "GSKT1", 200),
    ("teamlead2", Role.TEAM_LEADER, "Trịnh Quốc Bảo", "GSKT2", 120),
    ("doccheck2", Role.DOC_CHECK, "Lý Thị Mai", "GSKT2", 300),
    ("doccheck2b", Role.DOC_CHECK, "Đặng Văn Long", "GSKT2", 300),
    ("inspector2", Role.INSPECTION, "Phan Thị Ngọc", "GSKT2", 200),
    ("inspector2b", Role.INSPECTION, "Cao Minh Đức", "GSKT2", 200),
]


def _account(username: str, role: str, full_name: str | None) -> User | None:
    if full_name is None:
        return User.objects.filter(username=username).first()
    last, _sep, first = full_name.rpartition(" ")
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": role, "first_name": first, "last_name": last,
                                     "email": f"{username}@demo.customs.local"})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def teams_seed() -> int:
    teams_load()
    teams = {team.code: team for team in Team.objects.all()}
    joined = 0
    for username, role, full_name, code, capacity in COLLEAGUES:
        user = _account(username, role, full_name)
        if user is None:
            continue
        TeamMember.objects.update_or_create(officer=user, defaults={
            "team": teams[code], "daily_capacity_points": capacity, "on_duty": True})
        if role == Role.TEAM_LEADER:
            Team.objects.filter(pk=teams[code].pk).update(leader=user)
        joined += 1
    enterprise = Enterprise.objects.order_by("tax_code").first()
    officer = User.objects.filter(username="inspector1b").first()
    if enterprise and officer:
        ConflictOfInterest.objects.get_or_create(
            officer=officer, enterprise=enterprise,
            defaults={"reason": "Vợ làm kế toán của doanh nghiệp"})
    return joined


# Live work for the officers: declarations filed and submitted through the services now; the
# risk officer raises those the engine routed lower (a targeted check, as the branch does).
LIVE_WORK = [("declarant", "MCBL1", "yellow", "14C-215.36"),
             ("declarant2", "MCBL2", "yellow", "14C-302.18"),
             ("declarant", "MCKM34", "yellow", "14H-088.41"),
             ("declarant2", "MCVG", "yellow", "14C-477.90"),
             ("declarant", "MCBL1", "red", "14C-519.02"),
             ("declarant2", "MCKM34", "red", "14H-120.77")]


def _container(n: int) -> str:
    body = f"CSQU{305438 + 101 * n:06d}"
    return body + iso6346.calc_check_digit(body)


def live_work_seed() -> int:
    from declarations import services as declaration_services
    from declarations.api.serializers import DeclarationInputSerializer
    from declarations.models import Declaration
    from declarations.risk.services import declaration_raise_channel
    from declarations.testing import declaration_payload

    risk_officer = User.objects.filter(username="risk").first()
    made = 0
    for n, (username, gate, channel, plate) in enumerate(LIVE_WORK, start=1):
        user = User.objects.filter(username=username).first()
        invoice = f"HX-DEMO-2{n:02d}"
        if user is None or risk_officer is None or Declaration.objects.filter(
                declarant=user, invoice_number=invoice).exists():
            continue
        serializer = DeclarationInputSerializer(data=declaration_payload(
            invoice_number=invoice, border_gate=gate, vehicles=[plate],
            containers=[_container(n)]))
        serializer.is_valid(raise_exception=True)
        declaration = declaration_services.declaration_create_draft(
            user=user, data=serializer.validated_data)
        declaration_services.declaration_submit(declaration=declaration, user=user)
        declaration.refresh_from_db()
        if declaration.state in {"green", "yellow"} and declaration.state != channel:
            declaration_raise_channel(declaration=declaration, by=risk_officer, channel=channel,
                                      reason="Kiểm tra theo kế hoạch kiểm soát (dữ liệu mẫu)")
        made += 1
    return made


def seed(*, options: dict, progress) -> dict[str, int]:
    """Called by seed_demo after declarations and risk."""
    members = teams_seed()
    live = live_work_seed()
    opened = assigned = 0
    while True:  # the sweeper works in batches
        swept = checks_sweep()
        opened += swept["opened"]
        assigned += swept["assigned"]
        if not swept["opened"]:
            break
    return {"team_members": members, "live_declarations": live, "checks_opened": opened,
            "checks_assigned": assigned}

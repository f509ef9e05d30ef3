"""Test helpers of the inspection app: a team's people, declarations with their check."""

from types import SimpleNamespace


def crew_make(team_code: str = "GSKT1", *, prefix: str = "t1", capacity: int = 200):
    """A team's people: its leader, two document checkers, two inspectors (all on duty)."""
    from customs_core.testing.factories import UserFactory

    from .models import Team, TeamMember

    team = Team.objects.get(code=team_code)
    people = {"leader": ("team_leader", f"{prefix}_lead"), "doc1": ("doc_check", f"{prefix}_doc1"),
              "doc2": ("doc_check", f"{prefix}_doc2"), "insp1": ("inspection", f"{prefix}_insp1"),
              "insp2": ("inspection", f"{prefix}_insp2")}
    crew = {"team": team}
    for key, (role, username) in people.items():
        user = UserFactory(username=username, role=role, first_name=key,
                           last_name=f"{team_code}")
        TeamMember.objects.create(team=team, officer=user, daily_capacity_points=capacity)
        crew[key] = user
    team.leader = crew["leader"]
    team.save(update_fields=["leader"])
    return SimpleNamespace(**crew)


def open_check_of(declaration, kind: str | None = None):
    from .choices import OPEN_CHECK_STATES
    from .models import Check

    checks = Check.objects.filter(declaration=declaration, state__in=OPEN_CHECK_STATES)
    if kind:
        checks = checks.filter(kind=kind)
    return checks.select_related("officer", "team", "declaration").get()


def declaration_routed(channel: str = "yellow", *, user=None, **overrides):
    """A declaration submitted and routed by the real engine, then raised to `channel` by a
    risk officer if the engine chose lower: works inside a transactional test too, where the
    routing task runs at commit."""
    from customs_core.testing.factories import UserFactory
    from declarations import services
    from declarations.models import Declaration
    from declarations.risk.services import declaration_raise_channel, declaration_route
    from declarations.testing import declaration_make

    draft = declaration_make(state="draft", user=user, **overrides)
    services.declaration_submit(declaration=draft, user=draft.declarant)
    declaration_route(declaration_id=draft.pk)  # no-op if the commit already routed it
    declaration = Declaration.objects.get(pk=draft.pk)
    order = ["green", "yellow", "red"]
    assert order.index(declaration.channel) <= order.index(channel), declaration.channel
    if declaration.channel != channel:
        declaration_raise_channel(declaration=declaration, channel=channel, reason="Kiểm tra",
                                  by=UserFactory(username="routing_risk", role="risk"))
    return Declaration.objects.get(pk=draft.pk)

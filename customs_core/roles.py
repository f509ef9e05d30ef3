"""Who is who: the groups of roles every app checks against, defined once (STYLE.md).

A user's role is one `customs_core.choices.Role`; these sets say what a role may do. The
declaration workflow's table, the API, the pages and the menus all read them from here.
"""

from .choices import Role

ALL_ROLES = frozenset(Role.values)
ENTERPRISE_ROLES = frozenset({Role.ENTERPRISE})
# Customs staff: they read every declaration of the branch (an enterprise reads its own).
OFFICER_ROLES = ALL_ROLES - ENTERPRISE_ROLES
# Who checks documents (yellow channel) and who inspects goods (red channel).
DOC_CHECK_ROLES = frozenset({Role.DOC_CHECK, Role.TEAM_LEADER})
INSPECTION_ROLES = frozenset({Role.INSPECTION, Role.TEAM_LEADER})
# Officers who act on declarations at the front line (checks, inspections, gate-out).
FRONTLINE_ROLES = frozenset({Role.DOC_CHECK, Role.INSPECTION, Role.TEAM_LEADER,
                             Role.BRANCH_LEADER})
# Who may raise a declaration's channel (with a reason); lowering needs a branch leader.
CHANNEL_RAISER_ROLES = FRONTLINE_ROLES | {Role.RISK}
# Who supervises bonded warehouses: adjusts, transfers, extends storage terms, decides on goods
# a suspended warehouse holds (every officer reads them).
WAREHOUSE_SUPERVISOR_ROLES = FRONTLINE_ROLES
BRANCH_LEADER_ROLES = frozenset({Role.BRANCH_LEADER})
TEAM_LEADER_ROLES = frozenset({Role.TEAM_LEADER, Role.BRANCH_LEADER})
# The risk engine: who reads rules and assessments, who changes rules.
RISK_VIEWER_ROLES = frozenset({Role.RISK, Role.BRANCH_LEADER, Role.ADMIN})
RISK_EDITOR_ROLES = frozenset({Role.RISK, Role.ADMIN})
ADMIN_ROLES = frozenset({Role.ADMIN})
# Who searches the access audit (who read what, who changed rules and roles) and exports it.
AUDIT_VIEWER_ROLES = frozenset({Role.BRANCH_LEADER, Role.AUDITOR})
# Who must sign in with a second factor before any page or token works (optional for enterprises).
SECOND_FACTOR_ROLES = OFFICER_ROLES

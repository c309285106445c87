"""Who may see and change what: the one place every page, admin, API, export and download asks.

Roles (:class:`~qiangji.web.accounts.models.Role`): the programme admin and city reviewers see and edit
everything (reviewers not accounts); leadership sees everything and edits nothing; a county reporter sees
and edits only rows of its own institution plus shared reference lists; the public (anonymous or without a
role) sees only final publications, through the public pages. A superuser counts as programme admin.

A row belongs to an institution when a chain of foreign keys ends in a field named ``institution``
pointing to :class:`Institution` (``RMRegistration → staff → institution``); :func:`institution_path`
finds it once per model. Rows with no such chain are city data, hidden from reporters unless they are
reference lists (:data:`REFERENCE_MODELS`).
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar

from django.db import models
from django.db.models import QuerySet

from qiangji.web.accounts.models import Role
from qiangji.web.registry.models import Institution

#: The role names: the values of :class:`~qiangji.web.accounts.models.Role`, its one source (plain strings
#: for the type checker).
ADMIN, REVIEWER, REPORTER, LEADERSHIP = (
    str(role) for role in (Role.ADMIN, Role.REVIEWER, Role.REPORTER, Role.LEADERSHIP)
)
PUBLIC = "public"
CITY_ROLES = frozenset({ADMIN, REVIEWER})
READ_ALL_ROLES = frozenset({ADMIN, REVIEWER, LEADERSHIP})
STAFF_ROLES = frozenset({ADMIN, REVIEWER, REPORTER, LEADERSHIP})
#: Who may open the Django admin: the city's staff. County reporters and leadership work on the site's own
#: pages (the admin's sign-in, sign-out and password pages stay open to every role).
ADMIN_SITE_ROLES = CITY_ROLES
#: Who may upload an assessment period's reporting workbook (a reporter: its own institution's rows only).
#: Registry imports stay with :data:`CITY_ROLES`: the city verifies registry records.
REPORT_UPLOAD_ROLES = frozenset({ADMIN, REVIEWER, REPORTER})

#: Shared lists every signed-in role may read (never edit unless city).
REFERENCE_MODELS = frozenset(
    {
        "registry.division",
        "registry.mvcatalogueitem",
        "registry.regulation",
        "assessment.period",
        "assessment.frameworkversion",
    }
)
#: Institution-owned data a county reporter keeps up to date for its own institution.
REPORTER_EDITABLE = frozenset(
    {
        "registry.institutionmvitem",
        "registry.staff",
        "registry.rmregistration",
        "registry.measurementstandard",
        "registry.previousassessment",
        "registry.standardinstrument",
        "registry.instrumentcertificate",
        "registry.verificationcertificate",
        "registry.industryservice",
        "registry.researchproject",
        "registry.labplatform",
        "registry.researchoutput",
        "assessment.reportedvalue",
        "assessment.evidence",
        "assessment.rectification",
        "comparisons.submission",
        "publication.objection",
    }
)
#: Institution-owned rows a reporter still may not read directly: comparison results stay with the pilot
#: until the report is issued (the comparisons pages decide when a participant sees them).
CITY_ONLY_MODELS = frozenset({"comparisons.labresult", "comparisons.evaluation", "comparisons.pilotcheck"})
#: Account management: the programme admin only (leadership reads the audit trail too).
ACCOUNT_APPS = frozenset({"auth", "accounts", "sessions", "admin", "contenttypes"})
AUDIT_MODELS = frozenset({"accounts.auditevent", "accounts.loginfailure"})
#: Where the owning institution is not found by the naming rule.
PATH_OVERRIDES: dict[str, str | None] = {
    "registry.institution": "pk",
    "registry.institutionsuccession": "successor",
    "assessment.rectification": "finding__institution",
}

M = TypeVar("M", bound=models.Model)


def role_of(user: Any) -> str:
    """The user's role, or :data:`PUBLIC` (anonymous, inactive, or no role assigned)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return PUBLIC
    if user.is_superuser:
        return ADMIN
    profile = _profile(user)
    return str(profile.role) if profile is not None else PUBLIC


def institution_id_of(user: Any) -> int | None:
    """The institution a user acts for (reporters always have one; city users may)."""
    if user is None or not user.is_authenticated:
        return None
    profile = _profile(user)
    return profile.institution_id if profile is not None else None


def institution_of(user: Any) -> Institution | None:
    pk = institution_id_of(user)
    return Institution.objects.filter(pk=pk).first() if pk is not None else None


def _profile(user: Any) -> Any:
    cached = getattr(user, "_qiangji_profile", False)
    if cached is False:
        from qiangji.web.accounts.models import Profile

        cached = Profile.objects.filter(user_id=user.pk).first()
        user._qiangji_profile = cached
    return cached


def label(model: type[models.Model] | models.Model) -> str:
    return str(model._meta.label_lower)


def institution_path(model: type[models.Model]) -> str | None:
    """ORM path from ``model`` to the owning institution (``"pk"`` for Institution), or None."""
    return _institution_path(model)  # type: ignore[arg-type]


@cache
def _institution_path(model: type[models.Model]) -> str | None:
    key = label(model)
    if key in PATH_OVERRIDES:
        return PATH_OVERRIDES[key]
    frontier: list[tuple[type[models.Model], str]] = [(model, "")]
    for _depth in range(3):
        nxt = []
        for current, prefix in frontier:
            for field in current._meta.concrete_fields:
                if not field.is_relation or field.related_model is None:
                    continue
                if field.name == "institution" and field.related_model is Institution:
                    return prefix + "institution"
                if field.related_model._meta.app_label not in ACCOUNT_APPS:
                    nxt.append((field.related_model, f"{prefix}{field.name}__"))
        frontier = nxt
    return None


def owner_id(obj: models.Model) -> int | None:
    """The pk of the institution ``obj`` belongs to (None: city data or not yet linked)."""
    if isinstance(obj, Institution):
        return obj.pk
    path = institution_path(type(obj))
    if path is None:
        return None
    target: Any = obj
    *hops, last = path.split("__")
    for hop in hops:
        target = getattr(target, hop, None)
        if target is None:
            return None
    return getattr(target, f"{last}_id", None)


def can_view_model(user: Any, model: type[models.Model]) -> bool:
    """May the user see rows of this kind at all (before row scoping)?"""
    role, key = role_of(user), label(model)
    if role == PUBLIC:
        return False
    if key in AUDIT_MODELS:
        return role in (ADMIN, LEADERSHIP)
    if model._meta.app_label in ACCOUNT_APPS:
        return role == ADMIN
    if role in READ_ALL_ROLES:
        return True
    if key in CITY_ONLY_MODELS:
        return False
    return key in REFERENCE_MODELS or institution_path(model) is not None


def can_edit_model(user: Any, model: type[models.Model]) -> bool:
    """May the user add, change or delete rows of this kind (before row scoping)?"""
    role, key = role_of(user), label(model)
    if key in AUDIT_MODELS:
        return False
    if model._meta.app_label in ACCOUNT_APPS:
        return role == ADMIN
    if role in CITY_ROLES:
        return True
    return role == REPORTER and key in REPORTER_EDITABLE


def can_view(user: Any, obj: models.Model) -> bool:
    """May the user see this row (an institution, or anything belonging to one)?"""
    if not can_view_model(user, type(obj)):
        return False
    if role_of(user) != REPORTER or label(obj) in REFERENCE_MODELS:
        return True
    return owner_id(obj) == institution_id_of(user)


def can_edit(user: Any, obj: models.Model) -> bool:
    """May the user change or delete this row? A reporter only rows of its own institution."""
    if not can_edit_model(user, type(obj)):
        return False
    if role_of(user) != REPORTER:
        return True
    own = institution_id_of(user)
    return own is not None and owner_id(obj) == own


def visible_institutions(user: Any) -> QuerySet[Institution]:
    role = role_of(user)
    if role in READ_ALL_ROLES:
        return Institution.objects.all()
    if role == REPORTER:
        return Institution.objects.filter(pk=institution_id_of(user))
    return Institution.objects.none()


def scope_queryset(user: Any, qs: QuerySet[M]) -> QuerySet[M]:
    """``qs`` narrowed to the rows the user may see ("own institution only" for a reporter)."""
    model = qs.model
    if not can_view_model(user, model):
        return qs.none()
    if role_of(user) != REPORTER or label(model) in REFERENCE_MODELS:
        return qs
    path = institution_path(model)
    own = institution_id_of(user)
    if path is None or own is None:
        return qs.none()
    return qs.filter(**{path: own})


def can_use_admin(user: Any) -> bool:
    """May the user open the Django admin (its index, lists and forms)? The city's staff only."""
    return role_of(user) in ADMIN_SITE_ROLES


def is_city(user: Any) -> bool:
    return role_of(user) in CITY_ROLES


def reads_all(user: Any) -> bool:
    """The roles that read every institution's data (admin, city reviewers, leadership)."""
    return role_of(user) in READ_ALL_ROLES


def is_read_only(user: Any) -> bool:
    return role_of(user) == LEADERSHIP


# Workflow steps. Who takes each step, declared once: the site's pages, the API and the Django admin ask
# :func:`may` (or the named functions below); the command line (``qiangji period …``, ``qiangji publish …``)
# is the server operator's and asks no role. README.md's role table says the same, and
# tests/web/accounts/test_steps.py checks this table against one written independently in the test.
# Object-dependent steps add their own condition: a reporter reports and rectifies for its own institution
# only (:func:`can_edit`), lodges objections for it only, and a comparison round's pilot actions belong to
# the pilot institution's city staff (:func:`qiangji.web.comparisons.access.is_pilot`).
STEP_ROLES: dict[str, frozenset[str]] = {
    # A period: open it (create, set or re-date its window, choose its framework version).
    "open_period": frozenset({ADMIN}),
    # Reopen one institution's reporting after the deadline, with a reason.
    "extend": CITY_ROLES,
    # Enter, change, attach evidence to and submit reported values, by form or workbook upload (a reporter:
    # its own institution).
    "report": REPORT_UPLOAD_ROLES,
    # Approve or return reported values (one by one or in bulk).
    "review": CITY_ROLES,
    # Lock a period after its deadline.
    "lock": CITY_ROLES,
    # Publishing: compute the index, start the public notice, answer objections, publish final.
    "publish": frozenset({ADMIN}),
    # Read the statistical audit of a computed run (correlations, weights against importances, calibration
    # advice): the office reads it before it starts the notice, reviewers check it; it is not public.
    "read_audit": CITY_ROLES,
    # Lodge an objection to a ranking in notice (a reporter for its own institution; the office records
    # one received in writing).
    "lodge_objection": frozenset({ADMIN, REPORTER}),
    # Supervision: plan visits, score them, record findings.
    "inspect": CITY_ROLES,
    # Submit a rectification of a finding (a reporter: its own institution's findings).
    "rectify": frozenset({ADMIN, REVIEWER, REPORTER}),
    # Verify a rectification (accept or return it).
    "review_rectification": CITY_ROLES,
    # Submit comparison results as a participant laboratory (a reporter: its own institution).
    "submit_comparison": frozenset({ADMIN, REVIEWER, REPORTER}),
    # A comparison round's pilot actions (open, close, evaluate, issue the report): city staff of the pilot.
    "pilot_comparison": CITY_ROLES,
    # Name an institution an A级 candidate, change its planned date, or end its candidacy (the programme
    # office's steering decision).
    "flag_a_candidate": CITY_ROLES,
    # Name a registered-metrologist candidate (a reporter: staff of its own institution) or end a candidacy.
    "name_rm_candidate": frozenset({ADMIN, REVIEWER, REPORTER}),
    # Link 考前辅导 sessions to named candidates.
    "link_prep_session": CITY_ROLES,
    # Enter, change or withdraw the year's training needs before the deadline (an account linked to an
    # institution, for that institution).
    "enter_needs": frozenset({ADMIN, REVIEWER, REPORTER}),
    # Import a division's mandatory-verification duty list with the local instrument populations.
    "import_duty_list": CITY_ROLES,
    # Accept a proposed training need (from findings, comparisons, competitions, weaknesses) into the needs
    # table: the programme office.
    "accept_training_proposal": frozenset({ADMIN}),
    # Enter, change or withdraw a research-project application (申报) before its outcome is known (an account
    # linked to an institution, for that institution; the outcome, 立项 with its registry project, is the
    # city's, in the admin).
    "enter_research_application": frozenset({ADMIN, REVIEWER, REPORTER}),
    # Open the failing certificates behind a C3/C4 score and export them (the office; a reporter: its own
    # institution's). Never the public, and not leadership: certificate evidence names staff.
    "audit_certificates": frozenset({ADMIN, REVIEWER, REPORTER}),
}


def may(user: Any, step: str) -> bool:
    """May the user take this workflow step at all (before any per-row or per-stage condition)?"""
    return role_of(user) in STEP_ROLES[step]


def can_open_period(user: Any) -> bool:
    return may(user, "open_period")


def can_extend(user: Any) -> bool:
    return may(user, "extend")


def can_review(user: Any) -> bool:
    return may(user, "review")


def can_lock(user: Any) -> bool:
    return may(user, "lock")


def can_publish(user: Any) -> bool:
    """Compute, start the notice, answer objections, publish final: the programme admin."""
    return may(user, "publish")


def can_read_audit(user: Any) -> bool:
    """The statistical audit of an index run: the programme admin and city reviewers."""
    return may(user, "read_audit")


def can_lodge_objection(user: Any) -> bool:
    return may(user, "lodge_objection")


def can_inspect(user: Any) -> bool:
    return may(user, "inspect")


def can_review_rectification(user: Any) -> bool:
    return may(user, "review_rectification")


def can_audit_certificates(user: Any, institution: Institution) -> bool:
    """The failing certificates of ``institution`` behind its C3/C4 scores: the office, and the
    institution's own reporters (no other county's)."""
    if not may(user, "audit_certificates"):
        return False
    return role_of(user) != REPORTER or institution_id_of(user) == institution.pk


# --- Registry pages and correction proposals (issue 18) ---------------------------------------------------
#: Who may decide a county's proposed registry correction: the city's data stewards.
PROPOSAL_REVIEW_ROLES = CITY_ROLES


def can_view_registry(user: Any, institution: Institution) -> bool:
    """The non-public registry of ``institution`` (staff, certificates…): read-all roles, own reporters."""
    return can_view(user, institution)


def can_propose(user: Any, institution: Institution) -> bool:
    """Corrections to a registry are proposed by the institution's own reporters (the city edits directly)."""
    own = institution_id_of(user)
    return role_of(user) == REPORTER and own is not None and own == institution.pk


def can_review_proposals(user: Any) -> bool:
    return role_of(user) in PROPOSAL_REVIEW_ROLES


def can_review_proposal(user: Any, proposal: Any) -> bool:
    """The city decides a proposal, never the account that made it."""
    return can_review_proposals(user) and proposal.proposed_by_id != user.pk

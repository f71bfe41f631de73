"""The access policy of every URL the project resolves (issue 9, build item 3).

One declarative table: URL name (or route pattern when unnamed) on the desk and third-party
mounts, OpenAPI ``operationId`` on the API, crossed with the personas of the shared cast
(tests/factories/cast.py), gives the expected outcome of a GET and of a POST:

- ``ALLOW``: a 2xx, or a 3xx that does not lead to the login page (for a POST, form errors,
  400 and 409 count: the caller was let in, the body was simply incomplete);
- ``DENY``: 401, 403, 404, 405, or a redirect to the login page; and a refused POST never
  writes a row;
- ``OWN``: ``ALLOW`` for a row inside the persona's scope, ``DENY`` for one outside it.
  Scope is declared here too (:data:`FAMILIES`), from SPEC 2, never read back from the code
  under test.

The table states what SPEC 2 and issue 9 demand, not what the code does today. The test
(test_access_matrix.py) fails on any resolved URL or API operation without exactly one rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ALLOW, DENY, OWN = "ALLOW", "DENY", "OWN"
# A bare redirect (admin's /<app>/<model>/<id>/ → /change/): it must redirect and write
# nothing; the page it leads to has its own rows.
REDIRECT = "REDIRECT"

PERSONAS = (
    "anonymous", "official", "colleague", "deputy", "head", "authority",
    "hr", "province_hr", "viewer", "outsider", "sysadmin",
)  # fmt: skip
SIGNED = frozenset(PERSONAS) - {"anonymous"}
# People with an official record: every one of them holds the OFFICIAL role too.
STAFF = frozenset({"official", "colleague", "deputy", "head", "authority", "outsider"})
LEADS = frozenset({"deputy", "head"})
PROVINCE = frozenset({"province_hr", "sysadmin"})  # access.is_province_admin
MASTER = frozenset({"hr", "province_hr", "sysadmin"})  # HR admins (ward, province), system admin
NOBODY: frozenset[str] = frozenset()

Outcomes = Mapping[str, str]


def grant(allow: Iterable[str] = (), own: Iterable[str] = ()) -> dict[str, str]:
    """Outcome per persona: ``allow`` → ALLOW, ``own`` → OWN, everyone else (anonymous always) → DENY."""
    allow, own = set(allow), set(own)
    return {p: (ALLOW if p in allow else OWN if p in own else DENY) if p != "anonymous" else DENY for p in PERSONAS}


def everyone() -> dict[str, str]:
    """Public pages: anonymous included."""
    return dict.fromkeys(PERSONAS, ALLOW)


# ----------------------------------------------------------------------------- scope
# Rows are labelled by the side of the tree they sit on: "A" is the ward PHUONG_A and its
# team PHONG_A (official, colleague, deputy, head), "B" is SO_KHAC > PHONG_B (outsider).
# For per-user rows ("mine": saved reports, schedules, notifications, imports) the label
# is the owning persona.
_ALL = {"A", "B"}
_BOTH = dict.fromkeys(SIGNED, _ALL)
FAMILIES: dict[str, dict[str, set[str]]] = {
    # An official's personal records (appraisals, work logs, assignments, official, leave).
    "personal": {
        "official": {"A"}, "colleague": set(), "deputy": {"A"}, "head": {"A"}, "authority": _ALL,
        "hr": {"A"}, "province_hr": _ALL, "viewer": _ALL, "outsider": {"B"}, "sysadmin": _ALL,
    },
    # What only the person themself may change (their own lines, their own self-assessment).
    # A system admin manages accounts and settings, not officials' work: not here.
    "self": {"official": {"A"}, "outsider": {"B"}},
    # Who may act on an official's appraisal or line as a reviewer (deputy in field, head, authority).
    "review": {"deputy": {"A"}, "head": {"A"}, "authority": _ALL},
    # A document's author and the HR admins of its unit (job descriptions).
    "author": {"official": {"A"}, "outsider": {"B"}, "hr": {"A"}, "province_hr": _ALL, "sysadmin": _ALL},
    # Who acts on an appraisal: its subject (self-assessment, submission) and the reviewers.
    "actor": {"official": {"A"}, "deputy": {"A"}, "head": {"A"}, "authority": _ALL, "outsider": {"B"}},
    # Who acts on a competency assessment: its subject and the head of the subject's unit.
    "assess": {"official": {"A"}, "head": {"A"}, "outsider": {"B"}},
    # Unit-scoped rows (org units, task groups, unit appraisals, job descriptions).
    "unit": {
        "official": {"A"}, "colleague": {"A"}, "deputy": {"A"}, "head": {"A"}, "authority": _ALL,
        "hr": {"A"}, "province_hr": _ALL, "viewer": _ALL, "outsider": {"B"}, "sysadmin": _ALL,
    },
    # Master data written by HR admins within their subtree, by province admins everywhere.
    "master": {"hr": {"A"}, "province_hr": _ALL, "sysadmin": _ALL},
    # Everyone signed in reads them (definitions, catalogues, periods).
    "public": _BOTH,
    # Accounts and patches: system admins only.
    "system": {"sysadmin": _ALL},
}  # fmt: skip


def in_scope(family: str, persona: str, label: str) -> bool:
    if persona == "anonymous":
        return False
    if family == "mine":  # saved reports and schedules: their owner; the system admin sees all
        return label == persona or persona == "sysadmin"
    if family in {"inbox", "own"}:  # notifications; writes to saved reports and schedules: the owner only
        return label == persona
    if family == "runs":  # import runs: their author, the system admin, the leadership viewer (reads all)
        return label == persona or persona in {"sysadmin", "viewer"}
    return label in FAMILIES[family].get(persona, set())


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class Rule:
    get: Outcomes
    post: Outcomes
    read: str = "public"  # scope family of OWN on GET
    write: str = "public"  # scope family of OWN on POST (PUT/PATCH/DELETE on the API)
    follow: bool = False  # a plain redirect: judge where it leads
    home_ok: bool = False  # a redirect to the desk home is an answer here, not a refusal
    body: Mapping[str, str] = field(default_factory=dict)  # the minimal POST body
    query: str = ""  # a query string a page needs to render
    unavailable_ok: bool = False  # a 503 is an answer (a readiness probe), not a server error
    note: str = ""


def page(get: Outcomes, post: Outcomes | None = None, **kw: object) -> Rule:
    """A page whose POST is judged like its GET unless told (reads, downloads, links)."""
    return Rule(get=get, post=post if post is not None else get, **kw)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ModelPolicy:
    """Who may use each standard admin view of one model on the desk.

    ``view``: roles with the view permission (changelist ALLOW, change form OWN on ``read``);
    ``add``: add form ALLOW; ``change``/``delete``: OWN on ``write``. History (the timeline and
    one old version) is read like the change form and refuses every POST, for everyone.
    """

    read: str
    write: str
    view: frozenset[str]
    add: frozenset[str]
    change: frozenset[str]
    delete: frozenset[str]

    def rules(self, prefix: str) -> dict[str, Rule]:
        view = grant(allow=self.view)
        read_own = grant(own=self.view)
        kw = {"read": self.read, "write": self.write}
        timeline = Rule(get=read_own, post=grant(), **kw)  # read-only: every POST refused
        version = Rule(get=read_own, post=grant(), **kw)  # one old version: never saved back
        return {
            f"{prefix}_changelist": page(view),
            f"{prefix}_add": Rule(get=grant(allow=self.add), post=grant(allow=self.add), **kw),
            f"{prefix}_change": Rule(get=read_own, post=grant(own=self.change), **kw),
            f"{prefix}_delete": Rule(
                get=grant(own=self.delete),
                post=grant(own=self.delete),
                body={"post": "yes"},
                read=self.write,
                write=self.write,
            ),
            f"{prefix}_history": timeline,
            f"{prefix}_simple_history": version,
            # admin/<app>/<model>/<id>/ only redirects to the change form.
            f"{prefix}:legacy": Rule(get=dict.fromkeys(PERSONAS, REDIRECT), post=dict.fromkeys(PERSONAS, REDIRECT)),
        }


def model(read: str, write: str, *, view: Iterable[str], add: Iterable[str] = (), change: Iterable[str] = (),
          delete: Iterable[str] | None = None) -> ModelPolicy:  # fmt: skip
    change = frozenset(change)
    return ModelPolicy(read, write, frozenset(view), frozenset(add), change,
                       change if delete is None else frozenset(delete))  # fmt: skip


# Every model on the desk (thanhhoa_kpi/desk/pages/*), keyed "<app>_<model>".
_AUTH = {"authority", "sysadmin"}
_VIEW_DEFS = {"hr", "province_hr", "viewer", "sysadmin"}
# fmt: off
MODELS: dict[str, ModelPolicy] = {
    "accounts_user": model("system", "system", view={"sysadmin"}, add={"sysadmin"}, change={"sysadmin"}),
    "accounts_rolegrant": model("system", "system", view={"sysadmin"}, add={"sysadmin"}, change={"sysadmin"}),
    "core_appliedpatch": model("system", "system", view={"sysadmin"}, add={"sysadmin"}, change={"sysadmin"}),
    # The audit trail: system admins read it; nobody adds, changes or deletes an entry.
    "audit_auditentry": model("system", "system", view={"sysadmin"}, change=NOBODY, delete=NOBODY),
    # Province-wide definitions: everyone reads, province admins change (a new version still
    # needs a second person's approval to take effect); versions are never deleted.
    "appraisals_ruleset": model("public", "public", view=SIGNED, add=PROVINCE, change=PROVINCE, delete=NOBODY),
    "appraisals_appraisalperiod": model("public", "public", view=SIGNED, add=_AUTH, change=_AUTH, delete=NOBODY),
    # Appraisals exist only by opening a period; nobody adds or deletes one by hand. The
    # subject and the reviewers act on them; the system admin does not score people.
    "appraisals_appraisal": model("personal", "actor", view=SIGNED,
                                  change={"official", "outsider", *LEADS, "authority"}, delete=NOBODY),
    "appraisals_unitappraisal": model("unit", "unit", view=SIGNED, add={"authority", *MASTER},
                                      change={"authority", *MASTER}),
    # A unit's own scoring rules: entered like its appraisal, approved by the authority; never deleted.
    "appraisals_unitrules": model("unit", "unit", view=SIGNED, add={"authority", *MASTER},
                                  change={"authority", *MASTER}, delete=NOBODY),
    "catalogue_catalogue": model("public", "master", view=SIGNED, add=MASTER, change=MASTER),
    "catalogue_catalogueitem": model("public", "master", view=SIGNED, add=MASTER, change=MASTER),
    # Import runs are records of what happened: read by their author (and the viewer), never edited.
    "catalogue_catalogueimport": model("runs", "runs", view=MASTER | {"viewer"}, change=NOBODY, delete=MASTER),
    "competencies_competencyframework": model("public", "public", view=SIGNED, add=PROVINCE, change=PROVINCE),
    "competencies_competency": model("public", "public", view=SIGNED, add=PROVINCE, change=PROVINCE),
    "competencies_positionrequirement": model("public", "public", view=SIGNED, add=PROVINCE, change=PROVINCE),
    # Competency assessments exist only by opening a unit's year; nobody adds or deletes one by
    # hand. The matrix's rows stand in self-assessment, so only their subject may save them
    # (the head rates once submitted: tests/integration/test_competency_assessment_desk.py).
    "competencies_competencyassessment": model("personal", "self", view=SIGNED, change={"official", "outsider"},
                                               delete=NOBODY),
    # Custom fields are owned by a scope: a ward HR admin adds fields for the ward; the
    # province-wide field of the matrix is changed by province admins only, never deleted.
    "customfields_fielddefinition": model("public", "public", view=SIGNED, add=MASTER, change=PROVINCE,
                                          delete=NOBODY),
    "customfields_builtinoverride": model("public", "public", view=SIGNED, add=PROVINCE, change=PROVINCE),
    "organization_orgunit": model("unit", "master", view=SIGNED, add=MASTER, change=MASTER),
    "organization_similartaskgroup": model("unit", "master", view=SIGNED, add=MASTER, change=MASTER),
    "organization_blocauthority": model("public", "public", view=SIGNED, add=PROVINCE, change=PROVINCE),
    # Bloc-wide positions: province admins or an HR admin of the whole bloc, not a ward's.
    "organization_jobposition": model("public", "public", view=SIGNED, add=PROVINCE, change=PROVINCE),
    "organization_official": model("personal", "master", view=SIGNED, add=MASTER, change=MASTER),
    "organization_officialassignment": model("personal", "master", view=SIGNED, add=MASTER, change=MASTER),
    "organization_leaveperiod": model("personal", "master", view=SIGNED, add=MASTER, change=MASTER),
    # The system admin may read anyone's saved reports; only their owner changes them.
    "reports_savedreport": model("mine", "own", view=SIGNED, add=SIGNED, change=SIGNED),
    "reports_reportschedule": model("mine", "own", view=SIGNED, add=SIGNED, change=SIGNED),
    # Uploads start on the upload page; the model's add page is closed.
    "transfer_importjob": model("runs", "runs", view=SIGNED, change=MASTER),
    "workflow_workflowdefinition": model("public", "public", view=_VIEW_DEFS, add=PROVINCE, change=PROVINCE,
                                         delete=NOBODY),
    # Proposals of new rule-set / workflow versions: made by saving a definition, decided by a
    # second province admin through their workflow (the transition page), never edited.
    "workflow_definitionchange": model("public", "public", view=_VIEW_DEFS, change=NOBODY),
    # Anyone of the unit drafts one; its author and the unit's HR admins edit it.
    "workflow_jobdescription": model("unit", "author", view=SIGNED, add=STAFF | MASTER, change=STAFF | MASTER),
    # Notifications are written by the system; their recipient reads and deletes them.
    "workflow_notification": model("inbox", "inbox", view=SIGNED, change=NOBODY, delete=SIGNED - {"viewer"}),
    # Work periods come into being by opening a month (services), never by hand.
    "worklogs_workperiod": model("public", "public", view=SIGNED),
    # Assignments are made and changed on the assign page and the API; the model page only reads.
    "worklogs_assignment": model("personal", "review", view=SIGNED),
    # Lines are written on the personal pages (my-week, line edit, review); the model page reads.
    "worklogs_worklogline": model("personal", "self", view=SIGNED),
    # The plausibility checks' data: province-wide, read by HR admins and the viewer, written by
    # province admins; the thresholds are one row (the matrix holds it), so nobody adds a second.
    "worklogs_publicholiday": model("public", "public", view=_VIEW_DEFS, add=PROVINCE, change=PROVINCE),
    "worklogs_plausibilitythresholds": model("public", "public", view=_VIEW_DEFS, change=PROVINCE),
    # The inbound API (issue 15, item 2). A sending system and its secret serve the whole
    # province: HR admins read the list, province admins add and change them (never deleted:
    # their events are kept). Matching rules: every HR admin. Events arrive by the API only
    # (never added or deleted here); their list is the HR queue, in the scope of the
    # handler's unit, where HR admins name the handler or the item.
    "integrations_integrationsource": model("public", "public", view=MASTER, add=PROVINCE, change=PROVINCE,
                                            delete=NOBODY),
    "integrations_matchingrule": model("public", "public", view=MASTER, add=MASTER, change=MASTER),
    "integrations_inboundevent": model("master", "master", view=MASTER, change=MASTER, delete=NOBODY),
}
# fmt: on

_desk: dict[str, Rule] = {}
for _prefix, _policy in MODELS.items():
    _desk.update(_policy.rules(f"admin:{_prefix}"))
# These change pages only redirect to the model's own page (report run, import report).
_bare = dict.fromkeys(PERSONAS, REDIRECT)
_desk["admin:reports_savedreport_change"] = Rule(get=_bare, post=_bare)
_desk["admin:transfer_importjob_change"] = Rule(get=_bare, post=_bare)
GENERATED = frozenset(_desk)  # rows made from MODELS (a model without simple-history has no history form)

_signed = grant(allow=SIGNED)
_staff = grant(allow=STAFF)
_period_admins = grant(own={"authority", "sysadmin"})

DESK: dict[str, Rule] = {
    **_desk,
    # --- the site itself
    "admin:index": page(_signed),
    "admin:search": page(_signed, query="s=a"),
    "admin:login": page(everyone(), home_ok=True),
    # The login's second step (the two-factor code) serves only a session that has just
    # given the password of an account with a device: every persona here goes back to step 1.
    "admin:login_code": page(grant()),
    # Django 5 logs out on POST only; anyone may log out.
    "admin:logout": Rule(get={**grant(), "anonymous": REDIRECT}, post=everyone()),
    "admin:password_change": page(_signed),
    "admin:password_change_done": Rule(get=_signed, post=grant()),
    "admin:autocomplete": page(
        _signed, grant(), query="app_label=organization&model_name=officialassignment&field_name=unit"
    ),
    "admin:jsi18n": Rule(get=_signed, post=grant()),
    # Django's "view on site" redirect: no desk model has a public page; never reveals a row.
    "admin:view_on_site": page(grant()),
    "admin:auth_user_password_change": Rule(
        get=grant(own={"sysadmin"}), post=grant(own={"sysadmin"}), read="system", write="system"
    ),  # fmt: skip
    "admin:app_list": page(_signed),
    # Unnamed: admin's catch-all of unknown desk URLs (404, or the login page for anonymous).
    "admin/(?P<url>.*)$": page(grant()),
    # --- appraisal periods
    # Counts of the opening job only (no personal data).
    "admin:appraisals_period_progress": page(_signed),
    "admin:appraisals_period_progress_json": page(_signed),
    "admin:appraisals_home_affairs": page(grant(allow={"authority", "sysadmin"})),
    "admin:appraisals_classification": page(_signed),
    # The unit summary of the official's team, each caller seeing the rows of their scope.
    "admin:appraisals_unit_summary_pdf": page(grant(allow=SIGNED - {"outsider"}), query="period={period}&unit={unit}"),
    "admin:appraisals_appraisalperiod_open_period": page(_period_admins),
    "admin:appraisals_appraisalperiod_close_period": page(_period_admins),
    # Unlocking asks for a reason first (GET); the service takes it on POST.
    "admin:appraisals_appraisalperiod_reopen_period": page(_period_admins),
    "admin:appraisals_appraisalperiod_home_affairs_link": page(_period_admins),
    "admin:appraisals_appraisalperiod_classification_link": page(grant(own=SIGNED)),
    # --- appraisals and other workflow documents
    # GET only leads back to the document; POST acts (the subject submits, reviewers decide).
    "admin:appraisals_appraisal_transition": Rule(
        get=_bare, post=grant(own={"official", "outsider", *LEADS, "authority"}), write="actor"
    ),
    "admin:appraisals_appraisal_download_pdf": page(grant(own=SIGNED), read="personal", write="personal"),
    "admin:catalogue_catalogue_transition": Rule(get=_bare, post=grant(own=MASTER | {"authority"}), write="master"),
    "admin:workflow_definitionchange_transition": Rule(get=_bare, post=grant(allow=PROVINCE)),
    "admin:workflow_jobdescription_transition": Rule(get=_bare, post=grant(own=STAFF | MASTER), write="unit"),
    # An agency's appraisal: submitted by its head or an HR admin over it, decided by the bloc's authority.
    "admin:appraisals_unitappraisal_transition": Rule(
        get=_bare, post=grant(own={"head", "hr", "province_hr", "authority"}), write="unit"
    ),
    # The agencies' excellence quota of a bloc's year: its authority only.
    # A unit's own rules: submitted by its head or an HR admin over it, approved by the bloc's authority.
    "admin:appraisals_unitrules_transition": Rule(
        get=_bare, post=grant(own={"head", "hr", "province_hr", "authority"}), write="unit"
    ),
    "admin:appraisals_unitappraisal_quota": page(grant(allow={"authority"})),
    "admin:appraisals_unitappraisal_quota_link": page(grant(allow={"authority"})),
    "admin:competencies_competencyassessment_transition": Rule(
        get=_bare, post=grant(own={"official", "outsider", "head"}), write="assess"
    ),
    # Opening a unit's year of competency assessments: HR admins, the bloc authority, the system admin.
    # Following a notification to its page (marks it read): its owner only; a GET link.
    "admin:workflow_notification_open": Rule(get=grant(own=SIGNED), post=grant(), read="inbox"),
    "admin:competencies_assessment_open": page(grant(allow={"authority", *MASTER})),
    "admin:competencies_competencyassessment_open_link": page(grant(allow={"authority", *MASTER})),
    # --- catalogues
    "admin:catalogue_import": page(grant(allow=MASTER)),
    "admin:catalogue_import_progress": page(grant(own=MASTER | {"viewer"}), read="runs", write="runs"),
    "admin:catalogue_catalogue_import_xlsx": page(grant(allow=MASTER)),
    "admin:catalogue_catalogue_new_version": page(grant(own=MASTER), read="master", write="master"),
    "admin:catalogue_catalogue_export_xlsx": page(grant(own=SIGNED)),
    # --- reports
    "admin:reports_builder": page(_signed),
    # The builder's edit page belongs to the owner; the system admin runs and exports reports.
    "admin:reports_edit": page(grant(own=SIGNED), read="own", write="own"),
    "admin:reports_run": page(grant(own=SIGNED), read="mine", write="mine"),
    "admin:reports_export": page(grant(own=SIGNED), read="mine", write="mine"),
    "admin:reports_builtin": page(_signed),
    "admin:reports_builtin_run": page(_signed),
    "admin:reports_builtin_export": page(_signed),
    "admin:reports_savedreport_go_builder": page(_signed),
    "admin:reports_savedreport_go_builtin": page(_signed),
    # --- Excel import and export
    "admin:transfer_importjob_upload": page(grant(allow=MASTER)),
    "admin:transfer_importjob_export": page(_signed),
    "admin:transfer_importjob_export_file": page(_signed),
    # a year's published classifications in the national CBCCVC keys, in the caller's scope
    "admin:transfer_importjob_classifications": page(_signed),
    "admin:transfer_importjob_template": page(_signed, note="an empty workbook layout"),
    "admin:transfer_importjob_report": page(grant(own=MASTER | {"viewer"}), read="runs", write="runs"),
    "admin:transfer_importjob_confirm": Rule(get=grant(), post=grant(own=MASTER), read="runs", write="runs"),
    "admin:transfer_importjob_status": page(grant(own=MASTER | {"viewer"}), read="runs", write="runs"),
    "admin:transfer_importjob_go_upload": page(grant(allow=MASTER)),
    "admin:transfer_importjob_go_export": page(_signed),
    # --- inbox and work logs
    "admin:workflow_inbox": page(_signed),
    "admin:worklogs_assignment_assign_link": page(grant(allow={*LEADS, "sysadmin"})),
    "admin:worklogs_my_week": page(_staff),
    "admin:worklogs_quick_entry": page(_staff),
    "admin:worklogs_line_edit": page(grant(own=STAFF), read="self", write="self"),
    "admin:worklogs_review": page(_signed),
    # The page shows a line in the caller's scope; only its reviewer may POST a review.
    "admin:worklogs_review_line": Rule(
        get=grant(own=SIGNED), post=grant(own=LEADS), read="personal", write="review"
    ),  # fmt: skip
    "admin:worklogs_my_score": page(_staff),
    "admin:worklogs_hours": page(_signed),
    # Officials register their own work here too (origin SELF_REGISTERED).
    "admin:worklogs_assign": page(grant(allow=STAFF | {"sysadmin"})),
    "admin:worklogs_item_autocomplete": Rule(get=_signed, post=grant(), query="q=VH"),
    # The unit form's parent picker: anyone signed in gets an answer, listing only units they manage.
    "admin:organization_orgunit_parents": Rule(get=_signed, post=grant(), query="term=phuong"),
    # --- outside the desk
    # Uploaded files: only to those who see the row holding them; downloads are GET-only.
    "file-download": Rule(get=grant(own=SIGNED), post=grant(), read="personal"),
    "": page(grant(allow=SIGNED), follow=True, home_ok=True, note="the root (unnamed) redirects to the desk"),
    "schema": page(everyone(), note="the OpenAPI file is public documentation"),
    # Load-balancer probes: anyone, GET/HEAD only; readiness may answer 503 (no worker in tests).
    "healthz": Rule(get=everyone(), post=grant()),
    "readyz": Rule(get=everyone(), post=grant(), unavailable_ok=True),
    # The audit chain check (a read): system admins only.
    "admin:audit_auditentry_verify_chain": page(grant(allow={"sysadmin"})),
    "swagger-ui": page(everyone(), grant()),
    # --- the inbound API's desk pages (issue 15, item 2)
    # The official's own proposals (GET only); confirm and reject: the handler only, by POST.
    "admin:integrations_proposals": Rule(get=_staff, post=grant()),
    "admin:integrations_proposal_confirm": Rule(get=grant(), post=grant(own=STAFF), read="self", write="self"),
    "admin:integrations_proposal_reject": Rule(get=grant(), post=grant(own=STAFF), read="self", write="self"),
    # A new secret (shown once): province admins; the GET only asks.
    "admin:integrations_integrationsource_rotate_secret": page(grant(allow=PROVINCE)),
}

# The RQ dashboard (django-rq): system admins only. Every view of it, read or write.
RQ_PREFIX = "django_rq:"
_RQ_BY_ID = r"(job_detail|result_detail|delete_job|requeue_job|enqueue_job|stop_job|worker_details|scheduler_jobs|cron_scheduler_detail|cron_job_detail)"  # noqa: E501
THIRD_PARTY_PATTERNS: list[tuple[re.Pattern[str], Rule]] = [
    (re.compile(rf"^django_rq:(?!{_RQ_BY_ID}$)"), page(grant(allow={"sysadmin"}))),
    # Pages of one job, worker or scheduler: tests run jobs inline, so no such id exists and
    # the page must answer 404 even to the system admin (never a 500); others are refused first.
    (re.compile(rf"^django_rq:{_RQ_BY_ID}$"), page(grant())),
]

# ----------------------------------------------------------------------------- API
_own_read = grant(own=SIGNED)


def _crud(read: str, write: str, *, create: Iterable[str], change: Iterable[str], list_: Iterable[str] = SIGNED,
          delete: Iterable[str] | None = None, view: Iterable[str] | None = None) -> dict[str, Rule]:  # fmt: skip
    """The list/retrieve/create/update/partial_update/destroy operations of one resource."""
    change = set(change)
    view = set(SIGNED if view is None else view)
    write = {"read": read, "write": write}
    return {
        "list": Rule(get=grant(allow=list_), post=grant(allow=create)),
        "retrieve": Rule(get=grant(own=view), post=grant(), **write),
        "create": Rule(get=grant(allow=list_), post=grant(allow=create)),
        "update": Rule(get=grant(own=view), post=grant(own=change), **write),
        "partial_update": Rule(get=grant(own=view), post=grant(own=change), **write),
        "destroy": Rule(get=grant(own=view), post=grant(own=change if delete is None else delete), **write),
    }


def _resource(prefix: str, **kw: object) -> dict[str, Rule]:
    return {f"{prefix}_{op}": rule for op, rule in _crud(**kw).items()}  # type: ignore[arg-type]


_review = {"official", "outsider", *LEADS, "authority"}  # the subject and the reviewers
_authorities = {"authority", "sysadmin"}
# fmt: off
API: dict[str, Rule] = {
    # The token endpoint is the way in: anyone may try (and gets 400 without credentials).
    "v1_auth_token_create": Rule(get=grant(), post=everyone()),
    "v1_auth_logout_create": Rule(get=grant(), post=_signed),  # revokes the caller's own token
    "v1_me_retrieve": page(_signed, grant()),
    "v1_me_score_retrieve": page(_staff, grant()),
    "v1_inbox_retrieve": page(_signed, grant()),
    **_resource("v1_org_units", read="unit", write="master", create=MASTER, change=MASTER),
    **_resource("v1_officials", read="personal", write="master", create=MASTER, change=MASTER),
    **_resource("v1_positions", read="public", write="public", create=PROVINCE, change=PROVINCE),
    **_resource("v1_competency_frameworks", read="public", write="public", create=PROVINCE, change=PROVINCE),
    **_resource("v1_catalogues", read="public", write="master", create=MASTER, change=MASTER),
    **_resource("v1_catalogue_items", read="public", write="master", create=MASTER, change=MASTER),
    **_resource("v1_custom_fields", read="public", write="public", create=MASTER, change=PROVINCE),
    **_resource("v1_assignments", read="personal", write="review", create=STAFF | {"sysadmin"}, change=LEADS),
    **_resource("v1_worklogs", read="personal", write="self", create=STAFF | {"sysadmin"}, change=STAFF),
    **_resource("v1_periods", read="public", write="public", create=_authorities, change=_authorities),
    **_resource("v1_unit_appraisals", read="unit", write="unit", create={"authority", *MASTER},
                change={"authority", *MASTER}),
    **{name: rule for name, rule in _resource("v1_unit_rules", read="unit", write="unit",
                                              create={"authority", *MASTER}, change={"authority", *MASTER}).items()
       if not name.endswith("_destroy")},  # never deleted: no such operation
    **_resource("v1_job_descriptions", read="unit", write="author", create=STAFF | MASTER, change=STAFF | MASTER),
    **_resource("v1_reports", read="mine", write="own", create=SIGNED, change=SIGNED),
    # read-only resources
    "v1_appraisals_list": page(_signed, grant()),
    "v1_appraisals_retrieve": Rule(get=_own_read, post=grant(), read="personal"),
    "v1_work_periods_list": page(_signed, grant()),
    "v1_work_periods_retrieve": Rule(get=_own_read, post=grant()),
    "v1_notifications_list": page(_signed, grant()),
    "v1_notifications_retrieve": Rule(get=_own_read, post=grant(), read="inbox"),
    "v1_notifications_read_create": Rule(get=grant(), post=_signed),
    "v1_catalogue_imports_list": page(_signed, grant()),
    "v1_catalogue_imports_retrieve": Rule(get=grant(own=MASTER | {"viewer"}), post=grant(), read="runs"),
    # appraisal actions: the subject and the reviewers; never a read-only viewer, HR or the system admin
    "v1_appraisals_custom_partial_update": Rule(get=_own_read, post=grant(own={"official", "outsider", *LEADS}),
                                                read="personal", write="actor"),
    "v1_appraisals_disqualifiers_create": Rule(get=grant(), post=grant(own={*LEADS, "authority"}), write="review"),
    "v1_appraisals_disqualifiers_destroy": Rule(get=grant(), post=grant(own={*LEADS, "authority"}), write="review"),
    "v1_appraisals_general_criteria_update": Rule(get=grant(), post=grant(own=_review), write="actor"),
    "v1_appraisals_history_list": Rule(get=_own_read, post=grant(), read="personal"),
    "v1_appraisals_ranking_update": Rule(get=grant(), post=grant(own=LEADS), write="review"),
    "v1_appraisals_score_create": Rule(get=grant(), post=grant(own=_review), write="actor"),
    "v1_appraisals_transition_create": Rule(get=grant(), post=grant(own=_review), write="actor"),
    "v1_appraisals_unit_criteria_update": Rule(get=grant(), post=grant(own={"head", "authority"}), write="review"),
    # periods
    "v1_periods_classification_list_retrieve": Rule(get=_own_read, post=grant()),
    # The quota page of a unit, computed on the appraisals the caller may see (selectors.quota_view).
    "v1_periods_quota_retrieve": Rule(get=grant(allow=SIGNED - {"outsider"}), post=grant(), query="unit={unit}"),
    "v1_periods_status_retrieve": Rule(get=_own_read, post=grant()),
    "v1_periods_open_create": Rule(get=grant(), post=grant(own=_authorities)),
    "v1_periods_close_create": Rule(get=grant(), post=grant(own=_authorities)),
    "v1_periods_publish_create": Rule(get=grant(), post=grant(own=_authorities)),
    # assignments, work logs
    "v1_assignments_approve_create": Rule(get=grant(), post=grant(own=LEADS), write="review"),
    "v1_assignments_bulk_create": Rule(get=grant(), post=grant(allow={*LEADS, "sysadmin"})),
    "v1_assignments_copy_month_create": Rule(get=grant(), post=grant(allow={*LEADS, "sysadmin"})),
    "v1_worklogs_copy_create": Rule(get=grant(), post=grant(own=STAFF), write="self"),
    "v1_worklogs_review_create": Rule(get=grant(), post=grant(own=LEADS), write="review"),
    "v1_worklogs_review_bulk_create": Rule(get=grant(), post=grant(allow=LEADS | {"sysadmin"})),
    "v1_worklogs_hours_retrieve": page(_signed, grant()),
    "v1_worklogs_live_score_retrieve": page(_staff, grant()),
    # catalogues
    "v1_catalogues_export_retrieve": Rule(get=_own_read, post=grant()),
    "v1_catalogues_history_list": Rule(get=_own_read, post=grant()),
    "v1_catalogues_new_version_create": Rule(get=grant(), post=grant(own=MASTER), write="master"),
    "v1_catalogues_transition_create": Rule(get=grant(), post=grant(own=MASTER | {"authority"}), write="master"),
    "v1_catalogues_import_create": Rule(get=grant(), post=grant(allow=MASTER)),
    # job descriptions
    "v1_job_descriptions_history_list": Rule(get=_own_read, post=grant(), read="unit"),
    "v1_job_descriptions_transition_create": Rule(get=grant(), post=grant(own=STAFF | MASTER), write="unit"),
    "v1_unit_appraisals_history_list": Rule(get=_own_read, post=grant(), read="unit"),
    "v1_unit_rules_history_list": Rule(get=_own_read, post=grant(), read="unit"),
    "v1_unit_rules_transition_create": Rule(
        get=grant(), post=grant(own={"head", "hr", "province_hr", "authority"}), write="unit"
    ),
    "v1_unit_appraisals_transition_create": Rule(
        get=grant(), post=grant(own={"head", "hr", "province_hr", "authority"}), write="unit"
    ),
    # reports
    "v1_reports_run_retrieve": Rule(get=_own_read, post=grant(), read="mine"),
    "v1_reports_builtin_list": page(_signed, grant()),
    "v1_reports_builtin_run": page(_signed, grant()),
    "v1_reports_preview_create": Rule(get=grant(), post=_signed),
    # scoring previews are pure calculators on the caller's own numbers
    "v1_scoring_preview_create": Rule(get=grant(), post=_signed),
    "v1_scoring_quota_preview_create": Rule(get=grant(), post=_signed),
    # The inbound endpoint authenticates by the source's signature only: no persona's session
    # or token lets a request in (401 without a signature).
    "v1_integrations_events_create": Rule(get=grant(), post=grant(), note="HMAC signature only"),
    # An official's proposals from the e-office / one-stop shop: their handler alone.
    "v1_integration_proposals_list": page(_signed, grant()),
    "v1_integration_proposals_retrieve": Rule(get=grant(own=STAFF), post=grant(), read="self"),
    "v1_integration_proposals_confirm_create": Rule(get=grant(), post=grant(own=STAFF), write="self"),
    "v1_integration_proposals_reject_create": Rule(get=grant(), post=grant(own=STAFF), write="self"),
    # imports and exports (Excel)
    "v1_imports_create": Rule(get=grant(), post=grant(allow=MASTER)),
    "v1_imports_retrieve": Rule(get=grant(own=MASTER | {"viewer"}), post=grant(), read="runs"),
    "v1_exports_retrieve": page(_signed, grant()),
    "v1_exports_cbccvc_classifications_retrieve": page(_signed, grant()),
}
# fmt: on

# API URLs the resolver knows that the OpenAPI file does not describe.
API_EXTRA: dict[str, Rule] = {
    "api-root": page(_signed, grant(), note="DRF's browsable index of the routes"),
}


def desk_rule(key: str) -> list[Rule]:
    """Every rule matching a resolved URL key (exactly one is expected)."""
    found = [DESK[key]] if key in DESK else []
    found += [rule for pattern, rule in THIRD_PARTY_PATTERNS if pattern.search(key)]
    return found

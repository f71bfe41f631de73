"""The access matrix: every resolved URL and API operation × every persona × GET/POST.

URLs come from the resolver (``get_resolver()``, recursively, the desk's per-model admin
patterns included) and from thanhhoa_kpi/api/openapi.yaml; the expected outcome of each
cell comes from tests/security/policy.py. Path parameters are real ids: a row inside the
persona's scope and one outside it. Each request runs in a savepoint rolled back
afterwards, so a write that slips through cannot change the next cell, and every SQL
write of a refused request is caught from the queries it ran.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern, RoutePattern

from tests.security import policy
from tests.security.matrix_data import build_rows
from tests.security.policy import ALLOW, DENY, OWN, PERSONAS, REDIRECT

OPENAPI = Path(settings.BASE_DIR) / "thanhhoa_kpi" / "api" / "openapi.yaml"
LOGIN = settings.LOGIN_URL
WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b[^`]*?`?(\w+)`?", re.IGNORECASE)
# Tables a refused request may touch: the session store, login throttling, API tokens.
UNTRACKED_TABLES = re.compile(r"^(django_session|axes_|authtoken_|accounts_.*token)")
DENY_METHOD = policy.Rule(get=policy.grant(), post=policy.grant(), note="method not in the OpenAPI file")


# ----------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Entry:
    key: str  # URL name (namespaced), or the route when unnamed
    route: str  # the full route, for messages and unnamed URLs
    params: tuple[str, ...]  # keyword names, or "0", "1" for positional groups
    api: bool


def _params(pattern: Any) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        named = list(pattern.regex.groupindex)
        return named or [str(i) for i in range(pattern.regex.groups)]
    return []


def walk(resolver: URLResolver | None = None, prefix: str = "", ns: str = "", params: tuple = ()) -> list[Entry]:
    resolver = resolver or get_resolver()
    found: list[Entry] = []
    for item in resolver.url_patterns:
        route = prefix + str(item.pattern)
        here = params + tuple(_params(item.pattern))
        if isinstance(item, URLResolver):
            space = f"{ns}:{item.namespace}" if ns and item.namespace else (item.namespace or ns)
            found += walk(item, route, space, here)
        elif isinstance(item, URLPattern):
            key = f"{ns}:{item.name}" if ns and item.name else (item.name or route)
            found.append(Entry(key, route, here, route.startswith("api/v1/")))
    return found


def openapi_operations() -> dict[str, dict[str, str]]:
    """path → {method: operationId}."""
    spec = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    return {
        path: {m: op["operationId"] for m, op in ops.items() if m in {"get", "post", "put", "patch", "delete"}}
        for path, ops in spec["paths"].items()
    }


def rule_of(entry: Entry) -> list[policy.Rule]:
    legacy = re.fullmatch(r"admin/(\w+)/(\w+)/<path:object_id>/", entry.key)
    if legacy:
        key = f"admin:{legacy[1]}_{legacy[2]}:legacy"
        return [policy.DESK[key]] if key in policy.DESK else []
    return policy.desk_rule(entry.key)


def _sample_path(path: str) -> str:
    return re.sub(r"\{kind\}", "officials", re.sub(r"\{code\}", "abc", re.sub(r"\{\w*id\}", "1", path)))


def api_names_in_openapi(operations: dict[str, dict[str, str]]) -> set[str]:
    names = set()
    for path in operations:
        match = resolve(_sample_path(path))
        names.add(match.url_name)
    return names


# ----------------------------------------------------------------------------- coverage


def test_every_resolved_url_and_operation_has_exactly_one_rule():
    entries = walk()
    operations = openapi_operations()
    missing = sorted({e.key for e in entries if not e.api and not rule_of(e)})
    ambiguous = sorted({e.key for e in entries if not e.api and len(rule_of(e)) > 1})
    in_openapi = api_names_in_openapi(operations)
    undocumented = sorted(
        {e.key for e in entries if e.api and e.key not in in_openapi and e.key not in policy.API_EXTRA}
    )
    ops = {op for by_method in operations.values() for op in by_method.values()}
    without_row = sorted(ops - set(policy.API))
    problems = []
    if missing:
        problems.append("URLs without a policy row: " + ", ".join(missing))
    if ambiguous:
        problems.append("URLs matched by more than one rule: " + ", ".join(ambiguous))
    if undocumented:
        problems.append("API URLs neither in openapi.yaml nor in policy.API_EXTRA: " + ", ".join(undocumented))
    if without_row:
        problems.append("OpenAPI operations without a policy row: " + ", ".join(without_row))
    assert not problems, "\n".join(problems)


def test_policy_has_no_stale_rows():
    """A row for a URL or operation that no longer exists is a rule nobody checks."""
    keys = {e.key for e in walk()}
    legacy = {
        f"admin:{m[1]}_{m[2]}:legacy" for k in keys if (m := re.fullmatch(r"admin/(\w+)/(\w+)/<path:object_id>/", k))
    }
    stale = sorted(set(policy.DESK) - policy.GENERATED - keys - legacy)
    ops = {op for by_method in openapi_operations().values() for op in by_method.values()}
    stale += sorted(set(policy.API) - ops)
    assert not stale, "Policy rows for URLs or operations that no longer exist: " + ", ".join(stale)


# ----------------------------------------------------------------------------- the matrix


MODEL_OF = {
    "admin:catalogue_import_progress": "catalogue_catalogueimport",
    "admin:view_on_site": "organization_official",
    "admin:auth_user_password_change": "accounts_user",
    "file-download": "worklogs_worklogline",  # the evidence file of a line
}
API_MODEL = {
    "appraisals": "appraisals_appraisal", "assignments": "worklogs_assignment",
    "catalogue-imports": "catalogue_catalogueimport", "catalogue-items": "catalogue_catalogueitem",
    "catalogues": "catalogue_catalogue", "competency-frameworks": "competencies_competencyframework",
    "custom-fields": "customfields_fielddefinition", "imports": "transfer_importjob",
    "job-descriptions": "workflow_jobdescription", "notifications": "workflow_notification",
    "officials": "organization_official", "org-units": "organization_orgunit", "periods": "appraisals_appraisalperiod",
    "positions": "organization_jobposition", "reports": "reports_savedreport",
    "unit-appraisals": "appraisals_unitappraisal", "unit-rules": "appraisals_unitrules",
    "work-periods": "worklogs_workperiod",
    "worklogs": "worklogs_worklogline", "integration-proposals": "integrations_inboundevent",
}  # fmt: skip


def _model_key(entry: Entry) -> str | None:
    if entry.key in MODEL_OF:
        return MODEL_OF[entry.key]
    match = re.match(r"admin/(\w+)/(\w+)/", entry.route)
    return f"{match[1]}_{match[2]}" if match else None


def _pick(rows: list[tuple[str, Any]], family: str, persona: str, outcome: str) -> list[tuple[str, Any, bool]]:
    """At most one row in scope and one out of scope (OWN); one row, in scope first, otherwise."""
    inside = [(label, obj, True) for label, obj in rows if policy.in_scope(family, persona, label)]
    outside = [(label, obj, False) for label, obj in rows if not policy.in_scope(family, persona, label)]
    if outcome == OWN:
        return inside[:1] + outside[:1]
    return (inside + outside)[:1]


@dataclass
class Cell:
    where: str
    persona: str
    method: str
    url: str
    expected: str
    body: dict
    follow: bool = False
    home_ok: bool = False
    unavailable_ok: bool = False


class Matrix:
    def __init__(self, rows: dict, extra: dict, rq: dict[str, str]) -> None:
        self.rows, self.extra, self.rq = rows, extra, rq
        self.builtin = next(iter(__import__("thanhhoa_kpi.reports.builtin", fromlist=["BUILTINS"]).BUILTINS))

    # --- desk and third-party URLs
    def desk_cells(self, entry: Entry, persona: str) -> list[Cell]:
        rules = rule_of(entry)
        if len(rules) != 1:
            return []  # reported by test_every_resolved_url_and_operation_has_exactly_one_rule
        rule, cells = rules[0], []
        for method, outcomes, family in (("GET", rule.get, rule.read), ("POST", rule.post, rule.write)):
            outcome = outcomes[persona]
            for label, obj, inside in self._rows_for(entry, family, persona, outcome):
                expected = outcome if outcome != OWN else (ALLOW if inside else DENY)
                if entry.params[:1] == ("0",) and _history_manager(obj) is None:
                    expected = DENY  # a model without history rows: the page can only answer 404
                url = self._desk_url(entry, obj)
                if rule.query:
                    url += "?" + rule.query.format(**{k: v.pk for k, v in self.extra.items()})
                where = f"{entry.key} [{label}]" if label else entry.key
                cells.append(
                    Cell(where, persona, method, url, expected, dict(rule.body), rule.follow, rule.home_ok,
                         rule.unavailable_ok)
                )  # fmt: skip
        return cells

    def _rows_for(self, entry: Entry, family: str, persona: str, outcome: str) -> list[tuple[str, Any, bool]]:
        object_params = {"object_id", "pk", "0", "id", "name"} & set(entry.params)
        if not object_params or entry.key.startswith("django_rq:"):
            return [("", None, True)]
        rows = self.rows.get(_model_key(entry) or "", [])
        if not rows:
            raise LookupError(f"no data row for {entry.key}: add one to tests/security/matrix_data.py")
        return _pick(rows, family, persona, outcome)

    def _desk_url(self, entry: Entry, obj: Any) -> str:
        if entry.key == "":
            return "/"
        if entry.key.startswith("admin/(?P<url>"):
            return "/admin/nonexistent-page/"
        if entry.key.endswith("<path:object_id>/"):
            return "/" + entry.route.replace("<path:object_id>", str(obj.pk))
        values = {
            "object_id": getattr(obj, "pk", None), "pk": getattr(obj, "pk", None), "id": getattr(obj, "pk", None),
            "fmt": "xlsx", "code": self.builtin, "kind": "officials", "app_label": "organization",
            "content_type_id": ContentType.objects.get_for_model(type(obj)).pk if obj is not None else None,
            "queue_index": 0, "scheduler_index": 0, "connection_index": 0, "token": "none",
            "job_id": self.rq["job_id"], "result_id": self.rq["result_id"], "key": "none",
            "scheduler_name": "none", "cron_job_name": "none",
            "name": getattr(getattr(obj, "evidence", None), "name", None),  # /files/<name>: a line's evidence
        }  # fmt: skip
        if entry.params and entry.params[0] == "0":  # simple-history's (object id, history id)
            manager = _history_manager(obj)
            history = manager.filter(id=obj.pk).order_by("-history_id").first() if manager is not None else None
            return reverse(entry.key, args=[obj.pk, history.history_id if history else 999999])
        kwargs = {name: values[name] for name in entry.params if name != "format"}
        return reverse(entry.key, kwargs=kwargs)

    # --- API operations
    def api_cells(self, path: str, by_method: dict[str, str], persona: str) -> list[Cell]:
        cells = []
        for method in sorted({"get", "post"} | set(by_method)):
            op = by_method.get(method)
            if op and op not in policy.API:
                continue  # reported by test_every_resolved_url_and_operation_has_exactly_one_rule
            rule = policy.API[op] if op else DENY_METHOD
            outcome = rule.get[persona] if method == "get" else rule.post[persona]
            family = rule.read if method == "get" else rule.write
            for label, obj, inside in self._api_rows(path, family, persona, outcome):
                expected = outcome if outcome != OWN else (ALLOW if inside else DENY)
                url = self._api_url(path, obj)
                if rule.query:
                    url += "?" + rule.query.format(**{k: v.pk for k, v in self.extra.items()})
                where = f"{op or method.upper() + ' ' + path}" + (f" [{label}]" if label else "")
                cells.append(Cell(where, persona, method.upper(), url, expected, {}))
        return cells

    def extra_cells(self, key: str, persona: str) -> list[Cell]:
        rule = policy.API_EXTRA[key]
        url = reverse(key)
        return [Cell(key, persona, m, url, rule.get[persona] if m == "GET" else rule.post[persona], {})
                for m in ("GET", "POST")]  # fmt: skip

    def _api_rows(self, path: str, family: str, persona: str, outcome: str) -> list[tuple[str, Any, bool]]:
        if "{id}" not in path:
            return [("", None, True)]
        resource = path.split("/")[3]
        return _pick(self.rows[API_MODEL[resource]], family, persona, outcome)

    def _api_url(self, path: str, obj: Any) -> str:
        url = path.replace("{kind}", "officials").replace("{code}", self.builtin).replace("{source}", "vpdt")
        if obj is not None:
            url = url.replace("{id}", str(obj.pk))
        if "{disqualifier_id}" in url:
            url = url.replace("{disqualifier_id}", str(obj.disqualifiers.first().pk))
        return url


def _history_manager(obj: Any) -> Any:
    from simple_history.utils import get_history_manager_for_model

    try:
        return get_history_manager_for_model(type(obj))
    except Exception:  # the model keeps no history
        return None


def _refused_with_message(response: Any) -> bool:
    """The desk refuses some actions by redirecting with an error or warning message."""
    storage = getattr(response.wsgi_request, "_messages", None)
    queued = getattr(storage, "_queued_messages", [])
    return any(message.level >= messages.WARNING for message in queued)


def _succeeded_with_message(response: Any) -> bool:
    storage = getattr(response.wsgi_request, "_messages", None)
    return any(m.level == messages.SUCCESS for m in getattr(storage, "_queued_messages", []))


def _outcome(response: Any, method: str, home_ok: bool = False) -> str:
    status = response.status_code
    if status >= 500:
        return "5xx"
    location = response.get("Location", "") if 300 <= status < 400 else ""
    if location.split("?")[0].endswith(LOGIN):
        return DENY
    chain = [url for url, _status in getattr(response, "redirect_chain", [])]
    if any(url.split("?")[0].endswith(LOGIN) for url in chain):
        return DENY
    if 300 <= status < 400 and method != "GET":
        # A write redirected with a success message was done; any other redirect did nothing
        # visible (a refusal or an incomplete body); the writes are checked apart.
        return ALLOW if _succeeded_with_message(response) else "INVALID"
    if 300 <= status < 400 and _refused_with_message(response):
        return DENY
    if 300 <= status < 400 and location.split("?")[0] in {"/admin/", reverse("admin:index")} and not home_ok:
        return DENY  # sent back to the desk home: the page refuses this caller
    if status < 400:
        return ALLOW
    # Let in, but the body was refused or the caller throttled (the token endpoint counts per address).
    if method != "GET" and status in {400, 409, 413, 415, 422, 429}:
        return "INVALID"  # let in, body refused: ALLOW for a permitted write, harmless for a refused one
    return DENY


def _writes(queries: list[dict]) -> list[str]:
    tables = []
    for query in queries:
        match = WRITE_SQL.match(query["sql"])
        if match and not UNTRACKED_TABLES.match(match[2]):
            tables.append(match[2])
    return tables


def _send(client: Any, cell: Cell, api: bool) -> tuple[Any, list[str]]:
    call = getattr(client, cell.method.lower())
    kwargs: dict[str, Any] = {"follow": cell.follow}
    if cell.method != "GET":
        kwargs["data"] = cell.body
        if api:
            kwargs["format"] = "json"
    with transaction.atomic():
        with CaptureQueriesContext(connection) as captured:
            response = call(cell.url, **kwargs)
        transaction.set_rollback(True)
    return response, _writes(captured.captured_queries)


def _rq_ids() -> dict[str, str]:
    """A real job (and its result) in the default queue, for the RQ dashboard's job pages."""
    try:
        import django_rq

        job = django_rq.get_queue("default").enqueue(len, "matrix")
    except Exception as error:  # Redis down: the job pages are then checked with an unknown id
        print("RQ job for the matrix not made:", error)
        return {"job_id": "none", "result_id": "none"}
    if job is None:  # the queue was replaced in tests (jobs run inline, nothing kept in Redis)
        return {"job_id": "none", "result_id": "none"}
    result = job.latest_result() if hasattr(job, "latest_result") else None
    return {"job_id": job.id, "result_id": getattr(result, "id", None) or "none"}


@pytest.fixture
def clients(cast, api_for):
    users = {name: (None if name == "anonymous" else getattr(cast, name)) for name in PERSONAS}
    desk, api = {}, {}
    for name, user in users.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        desk[name] = client
        api_client = api_for(user)
        api_client.raise_request_exception = False
        api[name] = api_client
    return users, desk, api


def _judge(cell: Cell, response: Any, writes: list[str]) -> str | None:
    got = _outcome(response, cell.method, cell.home_ok)
    if got == "5xx" and cell.unavailable_ok and response.status_code == 503 and cell.expected == ALLOW:
        return None
    if got == "5xx":
        return f"{response.status_code} (server error)"
    if cell.expected == REDIRECT:
        if not 300 <= response.status_code < 400:
            return f"{response.status_code}, expected a bare redirect"
        return f"{response.status_code} but WROTE {sorted(set(writes))}" if writes else None
    if cell.expected == ALLOW and got == DENY:
        return f"{response.status_code} refused, expected ALLOW"
    if cell.expected == DENY:
        if got == ALLOW:
            return f"{response.status_code} answered, expected DENY"
        if writes:
            return f"{response.status_code} but WROTE {sorted(set(writes))}"
    if cell.expected == ALLOW and got == "INVALID" and cell.method == "GET":
        return f"{response.status_code}, expected ALLOW"
    return None


@pytest.fixture
def quiet_request_log():
    """Thousands of refusals are expected: Django's per-request warnings would drown the report."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    yield
    logger.setLevel(level)


def _cells_for(matrix: Matrix, persona: str, entries: dict, operations: dict, failures: list[str]) -> list:
    """Every (cell, is_api) of one persona: desk and third-party URLs, API operations, extra API URLs."""
    cells: list[tuple[Cell, bool]] = []
    for entry in entries.values():
        try:
            cells += [(cell, False) for cell in matrix.desk_cells(entry, persona)]
        except LookupError as missing:
            failures.append(f"{entry.key} | {persona} | - | {missing}")
    cells += [(cell, True) for path, ops in operations.items() for cell in matrix.api_cells(path, ops, persona)]
    cells += [(cell, True) for key in policy.API_EXTRA for cell in matrix.extra_cells(key, persona)]
    return cells


@pytest.mark.django_db
@pytest.mark.usefixtures("quiet_request_log")
def test_every_url_answers_every_persona_as_the_policy_says(cast, work, clients):
    users, desk, api = clients
    rows, extra = build_rows(cast, work, users)
    matrix = Matrix(rows, extra, _rq_ids())
    entries = {}
    for entry in walk():
        if not entry.api:
            entries.setdefault(entry.key, entry)  # one route per name (format suffixes share it)
    operations = openapi_operations()
    failures: list[str] = []
    get_writes: set[str] = set()  # state changed by a GET (a CSRF-able link): reported, not judged here
    counted = 0
    for persona in PERSONAS:
        for cell, is_api in _cells_for(matrix, persona, entries, operations, failures):
            client = api[persona] if is_api else desk[persona]
            response, writes = _send(client, cell, is_api)
            counted += 1
            if cell.method == "GET" and writes and response.status_code < 400:
                get_writes.add(f"{cell.where.split(' [')[0]} ({persona}): {sorted(set(writes))}")
            problem = _judge(cell, response, writes)
            if problem:
                failures.append(f"{cell.where} | {persona} | {cell.method} {cell.url} | {problem}")
            if cell.where.startswith("admin:logout") and users[persona] is not None:
                client.force_login(users[persona])  # the POST logged the persona out
    summary = (
        f"access matrix: {len(entries)} desk/third-party URLs, "
        f"{sum(len(ops) for ops in operations.values())} API operations on {len(operations)} paths, "
        f"{len(PERSONAS)} personas, {counted} cells"
    )
    print(summary)
    for line in sorted(get_writes):
        print("GET wrote:", line)
    assert not failures, f"{summary}; {len(failures)} failing cells:\n" + "\n".join(sorted(failures))

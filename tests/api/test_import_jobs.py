"""Bulk import in the background: through the API and the staff page, live progress, a per-row
report and an all-or-nothing commit — at the largest size a file may have (10,000 rows)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import CustomerProfile
from accounts.roles import Role
from contracts.imports import MAX_ROWS, import_job_run
from contracts.imports.progress import progress_get, progress_set
from contracts.models import ImportJob
from tests.accounts.factories import make_staff
from tests.api.helpers import token_client
from tests.conftest import login_verified_staff

pytestmark = pytest.mark.django_db

HEADERS = ["legal_name", "email", "phone", "national_id", "postal_address"]


def customers_csv(count: int, *, bad_row: int | None = None, prefix: str = "bulk") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for n in range(count):
        email = "not-an-email" if bad_row is not None and n == bad_row else f"{prefix}{n}@example.test"
        writer.writerow([f"客户{n}", email, "", "", ""])
    return out.getvalue().encode()


def upload(content: bytes, name: str = "customers.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def run_recording_progress(monkeypatch, job_id: int) -> list[dict]:
    """Run the job as the worker does, keeping every progress report it publishes."""
    seen: list[dict] = []

    def record(job_pk, *, phase, done, total):
        seen.append({"phase": phase, "done": done, "total": total})
        progress_set(job_pk, phase=phase, done=done, total=total)

    monkeypatch.setattr("contracts.imports.jobs.progress_set", record)
    import_job_run(job_id=job_id)
    return seen


def test_ten_thousand_rows_show_progress_and_commit_all(monkeypatch):
    api = token_client(["contracts:write"])
    response = api.post("/api/v1/imports", {"kind": "customers", "file": upload(customers_csv(MAX_ROWS))})
    assert response.status_code == 202, response.json()
    job = response.json()
    assert job["status"] == "queued" and job["total_rows"] == MAX_ROWS
    assert job["progress"]["phase"] == "queued" and job["progress"]["percent"] == 0
    seen = run_recording_progress(monkeypatch, job["id"])
    importing = [p for p in seen if p["phase"] == "importing"]
    assert seen[0] == {"phase": "checking", "done": 0, "total": MAX_ROWS}
    assert len(importing) >= 100  # the bar moves all along, not only at the end
    assert [p["done"] for p in importing] == sorted(p["done"] for p in importing)
    assert importing[-1] == {"phase": "importing", "done": MAX_ROWS, "total": MAX_ROWS}
    assert seen[-1]["phase"] == "finished"
    done = api.get(f"/api/v1/imports/{job['id']}").json()
    assert done["status"] == "succeeded" and done["created"] == MAX_ROWS and done["errors"] == []
    assert done["progress"] == {"phase": "finished", "done": MAX_ROWS, "total": MAX_ROWS, "percent": 100}
    assert CustomerProfile.objects.filter(email__startswith="bulk").count() == MAX_ROWS
    assert ImportJob.objects.get(pk=job["id"]).payload == {}  # the file's rows are not kept


def test_ten_thousand_rows_with_one_bad_row_import_nothing_and_report_it(monkeypatch):
    api = token_client(["contracts:write"])
    job = api.post(
        "/api/v1/imports", {"kind": "customers", "file": upload(customers_csv(MAX_ROWS, bad_row=MAX_ROWS - 1))}
    ).json()
    run_recording_progress(monkeypatch, job["id"])
    done = api.get(f"/api/v1/imports/{job['id']}").json()
    assert done["status"] == "failed" and done["created"] == 0
    assert [(e["row"], e["column"]) for e in done["errors"]] == [(MAX_ROWS + 1, "email")]
    assert not CustomerProfile.objects.filter(email__startswith="bulk").exists()


def test_a_row_refused_while_importing_rolls_back_every_row_before_it(monkeypatch):
    from contracts.imports import run as run_module

    original = run_module._HANDLERS["customers"]
    calls = {"n": 0}

    def create(actor, row_number, data):
        calls["n"] += 1
        if calls["n"] == 300:
            from core.errors import ApplicationError

            raise ApplicationError(code="email_taken", message="taken meanwhile")
        return original[1](actor, row_number, data)

    monkeypatch.setitem(run_module._HANDLERS, "customers", (original[0], create))
    api = token_client(["contracts:write"])
    job = api.post("/api/v1/imports", {"kind": "customers", "file": upload(customers_csv(400))}).json()
    run_recording_progress(monkeypatch, job["id"])
    done = api.get(f"/api/v1/imports/{job['id']}").json()
    assert done["status"] == "failed" and [(e["row"], e["column"]) for e in done["errors"]] == [(301, "email")]
    assert not CustomerProfile.objects.filter(email__startswith="bulk").exists()


def test_a_job_runs_once():
    api = token_client(["contracts:write"])
    job = api.post("/api/v1/imports", {"kind": "customers", "file": upload(customers_csv(3))}).json()
    assert import_job_run(job_id=job["id"]) == "succeeded"
    assert import_job_run(job_id=job["id"]) == "skipped"
    assert CustomerProfile.objects.filter(email__startswith="bulk").count() == 3


def test_import_scopes_and_visibility():
    readonly = token_client(["contracts:read"])
    response = readonly.post("/api/v1/imports", {"kind": "customers", "file": upload(customers_csv(2))})
    assert response.status_code == 403
    contracts_only = token_client(["contracts:write"])
    payments = contracts_only.post("/api/v1/imports", {"kind": "payments", "file": upload(b"contract_number\n")})
    assert payments.status_code == 403
    job = contracts_only.post("/api/v1/imports", {"kind": "customers", "file": upload(customers_csv(2))}).json()
    assert token_client(["contracts:write"]).get(f"/api/v1/imports/{job['id']}").status_code == 404
    bad = contracts_only.post("/api/v1/imports", {"kind": "customers", "file": upload(b"\x89PNG\r\n", "x.csv")})
    assert bad.status_code == 400 and not ImportJob.objects.filter(pk__gt=job["id"]).exists()


def test_the_staff_page_imports_in_the_background_with_a_live_progress_bar():
    admin = Client()
    user = make_staff(Role.ADMIN)
    login_verified_staff(admin, user)
    response = admin.post(
        "/staff/import/", {"kind": "customers", "step": "background", "file": upload(customers_csv(5, prefix="page"))}
    )
    assert response.status_code == 302
    url = response["Location"]
    job_id = int(re.search(r"/jobs/(\d+)/", url).group(1))
    page = admin.get(url).content.decode()
    assert 'id="import-progress"' in page and 'hx-trigger="every 1s"' in page and "<progress" in page
    assert '<meta http-equiv="refresh"' in page  # without JavaScript the page reloads itself
    progress_set(job_id, phase="importing", done=2, total=5)
    fragment = admin.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'value="40"' in fragment and "<html" not in fragment
    import_job_run(job_id=job_id)
    finished = admin.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in finished and 'id="import-done"' in finished and 'value="100"' in finished
    assert CustomerProfile.objects.filter(email__startswith="page").count() == 5
    listing = admin.get("/staff/import/").content.decode()
    assert 'id="import-jobs"' in listing and url in listing
    assert progress_get(job_id)["phase"] == "finished"


def test_the_staff_page_shows_the_rows_a_background_import_refused():
    admin = Client()
    login_verified_staff(admin, make_staff(Role.ADMIN))
    response = admin.post(
        "/staff/import/",
        {"kind": "customers", "step": "background", "file": upload(customers_csv(4, bad_row=2, prefix="bad"))},
    )
    job_id = int(re.search(r"/jobs/(\d+)/", response["Location"]).group(1))
    import_job_run(job_id=job_id)
    page = admin.get(response["Location"]).content.decode()
    assert 'id="import-errors"' in page and "<td>4</td>" in page and "<code>email</code>" in page
    assert not CustomerProfile.objects.filter(email__startswith="bad").exists()
    agent = Client()
    login_verified_staff(agent, make_staff(Role.AGENT))
    assert agent.get(response["Location"]).status_code == 403

"""Staff import of customers, contracts and repayment history (CSV or XLSX).

Two steps: a preview (dry run) that shows every row error or every row that would be
created, then the import itself. The import button carries a signed token naming the
previewed file's digest, so only a file that previewed cleanly, unchanged, is imported.
The file is re-sent with the import rather than kept on the server between the steps, so
personal data in it never lands in temporary storage.

A large file can instead be imported in the background (``step=background``): a worker checks
and imports it, all or nothing, while the job page shows a progress bar that updates live
(htmx polls the progress fragment every second; without JavaScript the page reloads itself);
the job keeps the file's rows only until it has run.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.decorators import staff_required
from contracts.imports import (
    COLUMNS,
    IMPORT_PERMISSION,
    KIND_CHOICES,
    MAX_FILE_BYTES,
    contracts_import,
    dataset_from_upload,
    import_job_create,
    import_job_get,
    import_job_progress,
    import_jobs_recent,
    template_dataset,
)
from core.errors import ApplicationError

PREVIEW_SALT = "cases.import.preview"
PREVIEW_MAX_AGE = 30 * 60


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file contains"), choices=KIND_CHOICES)
    file = forms.FileField(
        label=gettext_lazy("File (.csv or .xlsx, at most 5 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    preview_token = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than %(limit)s MB.") % {"limit": 5})
        content = upload.read(MAX_FILE_BYTES + 1)
        try:
            self.dataset = dataset_from_upload(content=content, filename=upload.name)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from exc
        self.digest = hashlib.sha256(content).hexdigest()
        return upload


def _preview_token(*, user_id: int | None, kind: str, digest: str) -> str:
    return signing.dumps({"u": user_id, "k": kind, "d": digest}, salt=PREVIEW_SALT)


def _preview_matches(token: str, *, user_id: int | None, kind: str, digest: str) -> bool:
    try:
        data = signing.loads(token, salt=PREVIEW_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature:
        return False
    return data == {"u": user_id, "k": kind, "d": digest}


@require_http_methods(["GET", "POST"])
@staff_required(perm=IMPORT_PERMISSION)
def import_view(request: HttpRequest) -> HttpResponse:
    report = None
    token = ""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            wants_import = request.POST.get("step") == "import"
            if request.POST.get("step") == "background":
                # Checked and imported by a worker, all or nothing, with a live progress bar.
                job = import_job_create(
                    actor=request.user,  # type: ignore[arg-type]
                    kind=kind,
                    dataset=form.dataset,
                    filename=form.cleaned_data["file"].name or "",
                )
                return redirect("staff:import_job", pk=job.pk)
            if wants_import and not _preview_matches(
                form.cleaned_data["preview_token"], user_id=request.user.pk, kind=kind, digest=form.digest
            ):
                form.add_error(None, _("Preview this file first; the file imported must be the one previewed."))
            else:
                report = contracts_import(
                    actor=request.user,  # type: ignore[arg-type]
                    kind=kind,
                    dataset=form.dataset,
                    dry_run=not wants_import,
                )
                if report.committed:
                    messages.success(
                        request,
                        _("Import finished: %(created)s created, %(unchanged)s already recorded.")
                        % {"created": report.created_count, "unchanged": report.unchanged_count},
                    )
                    return redirect("staff:import")
                if report.ok:
                    token = _preview_token(user_id=request.user.pk, kind=kind, digest=form.digest)
    else:
        form = ImportForm(initial={"kind": request.GET.get("kind", "customers")})
    return render(
        request,
        "staff/import.html",
        {"form": form, "report": report, "preview_token": token, "kinds": KIND_CHOICES, "jobs": import_jobs_recent()},
    )


@require_http_methods(["GET"])
@staff_required(perm=IMPORT_PERMISSION)
def import_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A background import: live progress while it runs, then its report."""
    job = import_job_get(pk=pk)
    context = {"job": job, "progress": import_job_progress(job)}
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "staff/import_job_progress.html", context)
    return render(request, "staff/import_job.html", context)


@require_http_methods(["GET"])
@staff_required(perm=IMPORT_PERMISSION)
def import_template_view(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in COLUMNS:
        raise Http404
    # A byte-order mark so that Excel opens the file as UTF-8.
    body = "\ufeff" + template_dataset(kind).export("csv")
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-template.csv"'
    return response

"""System API for bulk import: send a CSV or XLSX file of customers, contracts or payment
history; it is checked and imported in the background, all or nothing; poll the job for its
progress and its per-row report.

Scope: ``contracts:write`` for customers and contracts, ``payments:write`` for payments.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api_auth import HasScope, request_token, scope_require
from core.api import ErrorSerializer
from core.errors import ApplicationError, NotFoundError

from .codes import ContractsError
from .imports import (
    IMPORT_PERMISSION,
    KIND_CHOICES,
    MAX_FILE_BYTES,
    PAYMENTS,
    dataset_from_upload,
    import_job_create,
    import_job_progress,
)
from .models import ImportJob

ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


class ImportProgressSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=["queued", "checking", "importing", "finished"])
    done = serializers.IntegerField()
    total = serializers.IntegerField()
    percent = serializers.IntegerField(min_value=0, max_value=100)


class ImportRowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Spreadsheet row number (the header is row 1).")
    column = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ImportJobSerializer(serializers.Serializer):
    """A job as the API answers it. ``errors`` is added in ``get_fields`` (a serializer's own
    attribute has that name)."""

    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    status = serializers.ChoiceField(choices=["queued", "running", "succeeded", "failed"])
    dry_run = serializers.BooleanField()
    filename = serializers.CharField()
    total_rows = serializers.IntegerField()
    created = serializers.IntegerField(source="created_count")
    unchanged = serializers.IntegerField(source="unchanged_count")
    progress = serializers.SerializerMethodField()
    references = serializers.ListField(child=serializers.CharField(), help_text="What was created, in row order.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields["errors"] = ImportRowErrorSerializer(many=True, help_text="Every failing row; nothing was imported.")
        return fields

    @extend_schema_field(ImportProgressSerializer)
    def get_progress(self, job: ImportJob) -> dict[str, Any]:
        return import_job_progress(job)


class ImportCreateInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    file = serializers.FileField(help_text="CSV (UTF-8) or XLSX with the template's headers, at most 10,000 rows.")
    dry_run = serializers.BooleanField(required=False, default=False, help_text="Check only; import nothing.")


class ImportCreateApi(APIView):
    """POST: queue a file for import (202); poll ``GET /api/v1/imports/{id}`` for progress."""

    permission_classes = [HasScope("contracts:read")]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        operation_id="imports_create",
        request={"multipart/form-data": ImportCreateInputSerializer},
        responses={202: ImportJobSerializer, 413: ErrorSerializer, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        serializer = ImportCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = dict(serializer.validated_data)
        scope_require(request, "payments:write" if data["kind"] == PAYMENTS else "contracts:write")
        upload = data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise ApplicationError(
                code=ContractsError.FILE_TOO_LARGE,
                message=_("The file is larger than %(limit)s MB.") % {"limit": MAX_FILE_BYTES // (1024 * 1024)},
                field="file",
            )
        dataset = dataset_from_upload(content=upload.read(MAX_FILE_BYTES + 1), filename=upload.name or "")
        token = request_token(request)
        job = import_job_create(
            actor=None if token is not None else request.user,  # type: ignore[arg-type]
            api_client=token.client if token is not None else None,
            kind=data["kind"],
            dataset=dataset,
            filename=upload.name or "",
            dry_run=data["dry_run"],
        )
        return Response(ImportJobSerializer(job).data, status=202)


class ImportDetailApi(APIView):
    """GET: a job's status, live progress and, once finished, its per-row report."""

    permission_classes = [HasScope("contracts:read")]

    @extend_schema(operation_id="imports_retrieve", responses={200: ImportJobSerializer, **ERRORS})
    def get(self, request: Request, pk: int) -> Response:
        token = request_token(request)
        jobs = ImportJob.objects.all()
        if token is not None:
            jobs = jobs.filter(api_client=token.client)
        elif not request.user.has_perm(IMPORT_PERMISSION):
            jobs = jobs.filter(Q(created_by=request.user.pk))
        job = jobs.filter(pk=pk).first()
        if job is None:
            raise NotFoundError(code=ContractsError.IMPORT_JOB_NOT_FOUND, message=_("Import not found."))
        return Response(ImportJobSerializer(job).data)

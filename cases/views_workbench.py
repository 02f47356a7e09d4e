"""Staff: the work queue (filters, saved views, the "next account" button) and assignment by
supervisors, one account or many at once."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import staff_required
from accounts.models import User
from accounts.roles import ASSIGN_ACCOUNTS, WORK_ACCOUNTS
from contracts.models import ContractStatus
from core.dates import business_today
from core.errors import ApplicationError

from .forms import AssignForm, SavedViewForm
from .selectors_queue import QUEUE_PAGE_SIZE, next_account, queue_filters_from, work_queue
from .selectors_workbench import assignable_agents, saved_views_for, teams_for_assignment
from .services import accounts_assign, saved_view_delete, saved_view_save

BUCKETS = ("M1", "M2", "M3", "M4", "M5", "M6", "M6+")


def _assign_form(user: User, data: object = None) -> AssignForm | None:
    if not user.has_perm(ASSIGN_ACCOUNTS):
        return None
    return AssignForm(data, agents=assignable_agents(), teams=teams_for_assignment())


@staff_required(perm=WORK_ACCOUNTS)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    filters = queue_filters_from(request.GET, user=user)
    rows = work_queue(user=user, filters=filters, today=business_today(), now=timezone.now())
    page = Paginator(rows, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "staff/queue.html",
        {
            "page": page,
            "filters": filters,
            "query": urlencode(filters.as_params()),
            "buckets": BUCKETS,
            "saved_views": saved_views_for(user=user),
            "view_form": SavedViewForm(),
            "assign_form": _assign_form(user),
            "teams": teams_for_assignment() if user.has_perm(ASSIGN_ACCOUNTS) else [],
            "charged_off": ContractStatus.CHARGED_OFF,
        },
    )


@staff_required(perm=WORK_ACCOUNTS)
@require_GET
def queue_next(request: HttpRequest) -> HttpResponse:
    """Open the next account to work (the queue's filters apply)."""
    user: User = request.user  # type: ignore[assignment]
    filters = queue_filters_from(request.GET, user=user)
    skip = request.GET.get("skip", "")
    contract = next_account(
        user=user,
        filters=filters,
        today=business_today(),
        now=timezone.now(),
        skip=int(skip) if skip.isdigit() else None,
    )
    if contract is None:
        messages.info(request, _("Nothing left to work in this queue today."))
        return redirect(f"{reverse('staff:queue')}?{urlencode(filters.as_params())}")
    url = reverse("staff:customer_detail", args=[contract.customer_id])
    return redirect(f"{url}#account-{contract.pk}")


@staff_required(perm=ASSIGN_ACCOUNTS)
@require_POST
def queue_assign(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = _assign_form(user, request.POST)
    back = request.POST.get("back", "")
    target = reverse("staff:queue") + (f"?{back}" if back and "//" not in back else "")
    ids = [int(v) for v in request.POST.getlist("contracts") if v.isdigit()]
    if form is None or not form.is_valid():
        messages.error(request, _("Choose whom to assign the accounts to."))
        return redirect(target)
    try:
        count = accounts_assign(
            actor=user, contract_ids=ids, agent_id=form.cleaned_data["agent"], team_id=form.cleaned_data["team"]
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("%(count)s accounts assigned.") % {"count": count})
    return redirect(target)


@staff_required(perm=WORK_ACCOUNTS)
@require_POST
def saved_view_save_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = SavedViewForm(request.POST)
    filters = queue_filters_from(request.POST, user=user)
    if form.is_valid():
        try:
            saved_view_save(actor=user, name=form.cleaned_data["name"], filters=filters.as_params())
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("View saved."))
    else:
        messages.error(request, _("Give the view a name of at most 60 characters."))
    return redirect(f"{reverse('staff:queue')}?{urlencode(filters.as_params())}")


@staff_required(perm=WORK_ACCOUNTS)
@require_POST
def saved_view_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        saved_view_delete(actor=request.user, view_id=pk)  # type: ignore[arg-type]
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("View deleted."))
    return redirect("staff:queue")

"""The workbench in the demo: a team with the demo agent working the overdue accounts, and a
licensed agency (the demo agency user) with the charged-off account placed with it. Made once,
through the services, after the demo's history has been lived."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction

from accounts.models import User
from cases.models import Agency, Team
from cases.services import accounts_assign, agency_save, members_recorded, placement_create, team_save
from contracts.models import CollectionHold, Contract, ContractStatus

DEMO_TEAM = "催收一组"
DEMO_AGENCY = "华信催收服务有限公司"
PLACEMENT_DAYS = 90


@transaction.atomic
def demo_workbench_load(*, today: dt.date) -> None:
    if Team.objects.filter(name=DEMO_TEAM).exists():
        return
    supervisor = User.objects.get(email="supervisor@demo.fairdue.example")
    agent = User.objects.get(email="agent@demo.fairdue.example")
    team = team_save(actor=supervisor, team=Team(name=DEMO_TEAM), changed=["name"])
    team.members.add(agent)
    members_recorded(actor=supervisor, obj=team)
    agency = agency_save(
        actor=supervisor,
        agency=Agency(
            name=DEMO_AGENCY,
            licence_number="沪金催许字2026第0318号",
            licence_valid_until=today + dt.timedelta(days=730),
            commission_rate=Decimal("0.1500"),
        ),
        changed=["name", "licence_number", "licence_valid_until", "commission_rate"],
    )
    agency.members.add(User.objects.get(email="agency@demo.fairdue.example"))
    members_recorded(actor=supervisor, obj=agency)
    held = CollectionHold.objects.filter(released_on__isnull=True).values("contract_id")
    overdue = Contract.objects.filter(status__in=[ContractStatus.DELINQUENT, ContractStatus.CHARGED_OFF])
    placed = overdue.filter(status=ContractStatus.CHARGED_OFF).exclude(pk__in=held).order_by("id").first()
    if placed is not None:
        placement_create(
            actor=supervisor,
            contract_id=placed.pk,
            agency_id=agency.pk,
            ends_on=today + dt.timedelta(days=PLACEMENT_DAYS),
        )
    if placed is not None:
        overdue = overdue.exclude(pk=placed.pk)
    mine = list(overdue.values_list("pk", flat=True))
    if mine:
        accounts_assign(actor=supervisor, contract_ids=mine, agent_id=agent.pk, team_id=team.pk)

"""What every contracts service does around its event: lock the contract, bring its charges
up to the day before the event (so events land exactly where a daily sweep would have put
them), and save the result."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from core.errors import NotFoundError

from .. import ledger_store as store
from ..codes import ContractsError
from ..models import Contract

ZERO = Decimal("0.00")


def _lock(contract_id: int) -> Contract:
    contract = Contract.objects.select_for_update().filter(pk=contract_id).first()
    if contract is None:
        raise NotFoundError(code=ContractsError.CONTRACT_NOT_FOUND, message=_("Contract not found."))
    return contract


def _bring_to(contract: Contract, day: dt.date) -> tuple[store.Loaded, store.Pending]:
    """Load a locked contract with its charges closed through ``day``."""
    loaded = store.load([contract])[contract.pk]
    pending = store.Pending()
    store.advance(loaded, day, pending)
    return loaded, pending


def _finish(loaded: store.Loaded, pending: store.Pending, on: dt.date) -> None:
    store.update_status(loaded, on, pending)
    store.save([loaded], pending)

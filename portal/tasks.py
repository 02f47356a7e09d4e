from celery import shared_task

from core.services import heartbeat_record


@shared_task(name="portal.tasks.system_heartbeat", ignore_result=True)
def system_heartbeat() -> None:
    """Scheduled by beat and run by a worker: proves both are alive."""
    heartbeat_record(name="beat")


@shared_task(name="portal.tasks.checkout_expire", ignore_result=True)
def checkout_expire() -> int:
    from payments.services import checkout_expire_stale

    return checkout_expire_stale()

from celery import shared_task

from .services import heartbeat_record


@shared_task(name="portal.tasks.system_heartbeat", ignore_result=True)
def system_heartbeat() -> None:
    """Scheduled by beat and run by a worker: proves both are alive."""
    heartbeat_record(name="beat")

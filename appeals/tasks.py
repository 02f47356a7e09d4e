from celery import shared_task

from .services import sla_check


@shared_task(name="appeals.tasks.sla_check", ignore_result=True)
def sla_check_task() -> dict[str, int]:
    """Hourly: reminders before deadlines, escalation to a supervisor at a breach."""
    return sla_check()

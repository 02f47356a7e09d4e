"""Heartbeats now live in ``core`` (telemetry only: the table is dropped and the next beat
fills ``core_heartbeat``); checkout sessions in ``payments``, which takes over their table."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0002_checkout'),
        ('payments', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[migrations.DeleteModel(name='CheckoutSession')],
        ),
        migrations.DeleteModel(name='Heartbeat'),
    ]

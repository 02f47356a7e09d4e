"""Checkout sessions move from ``portal`` to their own app: the table is taken over as it is
(state only here); the next migration renames it."""

import django.db.models.deletion
import uuid
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0002_contact_preference'),
        ('contracts', '0002_collection_hold'),
        ('portal', '0002_checkout'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='CheckoutSession',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.UUIDField(default=uuid.uuid4, editable=False, unique=True, verbose_name='public reference')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='amount')),
                        ('currency', models.CharField(default='CNY', max_length=3, verbose_name='currency')),
                        ('choice', models.CharField(choices=[('overdue', 'Overdue and due now'), ('payoff', 'Full payoff'), ('custom', 'Another amount')], max_length=10, verbose_name='what is paid')),
                        ('provider', models.CharField(choices=[('sandbox', 'Sandbox (test payments)'), ('alipay', 'Alipay')], max_length=20, verbose_name='payment provider')),
                        ('status', models.CharField(choices=[('pending', 'Waiting for payment'), ('succeeded', 'Paid'), ('failed', 'Failed'), ('expired', 'Expired')], default='pending', max_length=10, verbose_name='status')),
                        ('provider_trade_no', models.CharField(blank=True, max_length=64, verbose_name='provider trade number')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                        ('failure_reason', models.CharField(blank=True, max_length=200, verbose_name='failure reason')),
                        ('contract', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checkout_sessions', to='contracts.contract')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checkout_sessions', to='accounts.customerprofile')),
                        ('payment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='checkout_sessions', to='contracts.payment')),
                    ],
                    options={
                        'verbose_name': 'checkout session',
                        'verbose_name_plural': 'checkout sessions',
                        'ordering': ['-created_at', '-id'],
                        'db_table': 'portal_checkoutsession',
                        'indexes': [models.Index(fields=['status', 'created_at'], name='portal_chec_status_e96f6c_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('amount__gt', 0)), name='checkout_amount_positive'), models.UniqueConstraint(condition=models.Q(('provider_trade_no', ''), _negated=True), fields=('provider', 'provider_trade_no'), name='checkout_trade_no_unique'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'succeeded'), _negated=True), ('payment__isnull', False), _connector='OR'), name='checkout_succeeded_has_payment')],
                    },
                ),
            ],
        ),
    ]

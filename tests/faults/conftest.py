"""Fixtures of the fault tests: the SMTP server that counts messages by Message-ID."""

from tests.notices.test_delivery_workers import mailbox_server  # noqa: F401  (a fixture, used by name)

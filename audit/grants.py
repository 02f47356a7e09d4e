"""Least privilege for the application's database role (PostgreSQL).

The tables belong to an owner role that runs migrations; the application connects as another
role that may read and write business tables but may only INSERT and SELECT the audit log.
Not owning the audit tables, it cannot ALTER them (so cannot disable their triggers) nor
TRUNCATE them; the triggers refuse UPDATE and DELETE even to the owner.
"""

from __future__ import annotations

from django.db import connection

AUDIT_TABLES = ("audit_auditevent", "audit_auditseal", "audit_auditcheckpoint")


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def audit_grants_sql(*, role: str) -> list[str]:
    """The statements, for the owner to run after each migration."""
    tables = connection.introspection.table_names()
    business = [t for t in tables if t not in AUDIT_TABLES]
    who = _quote(role)
    statements = [f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {who}"]
    if business:
        statements.append(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(_quote(t) for t in business)} TO {who}")
    statements += [
        f"REVOKE ALL ON {', '.join(AUDIT_TABLES)} FROM {who}",
        f"GRANT SELECT, INSERT ON {', '.join(AUDIT_TABLES)} TO {who}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {who}",
        f"GRANT USAGE ON SCHEMA public TO {who}",
    ]
    return statements


def audit_table_owned_by_current_role() -> bool | None:
    """True when the connected role owns the audit table (None off PostgreSQL)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableowner = current_user FROM pg_tables WHERE schemaname = current_schema() AND tablename = %s",
            ["audit_auditevent"],
        )
        row = cursor.fetchone()
    return bool(row and row[0])

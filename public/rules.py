"""Who sees citizens' subscriptions in the admin: national administrators only. The
municipalities and the police never need the addresses, so no coordinator sees them, not
even of their own municipality; and nobody adds or edits one by hand."""

import rules

from municipalities.rules import is_national_admin

rules.add_perm("public.view_subscription", is_national_admin)
rules.add_perm("public.delete_subscription", is_national_admin)
# The task queue (django-tasks-db's admin, read-only): failed and waiting tasks.
rules.add_perm("django_tasks_database.view_dbtaskresult", is_national_admin)
rules.add_perm("django_tasks_database", is_national_admin)

"""Who may read, enter, publish and download the follow-up: asked through
`user.has_perm(perm, obj)` and answered here."""

import rules

from followup.models import POLICE_PARTIES, TertialReport
from municipalities.rules import (
    ANY_ROLE, POLICE_EDITORS, holds_any, is_editor, is_member, is_national_admin,
    is_police_editor, is_publisher, roles_over, scope_of,
)
from promises.rules import is_published, is_under_published, publishes_for_a_party


@rules.predicate
def reported_by_police(user, obj=None):
    """A follow-up (or a promise, activity or indicator to follow up) the police report:
    its own named party, else its promise's, is the police or joint. Without an object:
    there are such rows (the police coordinator's list holds them)."""
    return obj is None or obj.party in POLICE_PARTIES


@rules.predicate
def is_member_besides_police(user, obj=None):
    """A role other than police coordinator over the object (anywhere, without one)."""
    roles = ANY_ROLE - POLICE_EDITORS
    if obj is None:
        return holds_any(user, roles)
    return bool(roles_over(user, scope_of(obj)) & roles)


@rules.predicate
def report_is_public(user, document):
    return (
        document is not None and document.period.is_published
        and TertialReport.objects.public().filter(
            period_id=document.period_id, year=document.year, tertial=document.tertial
        ).exists()
    )


reads_row = is_national_admin | is_member_besides_police | (is_police_editor & reported_by_police)
enters_row = is_national_admin | is_editor | (is_police_editor & reported_by_police)

rules.add_perm("followup.view_followup", reads_row)
# Police coordinators enter their rows on the tertial screen; adding one by hand in the
# admin means choosing its promise, which only editors do.
rules.add_perm("followup.add_followup", is_national_admin | is_editor)
rules.add_perm("followup.change_followup", enters_row)
rules.add_perm("followup.revert_followup", enters_row)
rules.add_perm("followup.delete_followup", (is_national_admin | is_editor) & ~is_under_published)

rules.add_perm("followup.view_tertialreport", is_national_admin | is_member)
rules.add_perm("followup.add_tertialreport", is_national_admin | is_editor)
rules.add_perm("followup.change_tertialreport", is_national_admin | is_editor)
rules.add_perm("followup.revert_tertialreport", is_national_admin | is_editor)
rules.add_perm("followup.delete_tertialreport", (is_national_admin | is_editor) & ~is_published)
rules.add_perm("followup.publish_tertialreport", is_national_admin | is_publisher)
rules.add_perm("followup.approve_tertialreport", publishes_for_a_party)
# A tertial report's PDF: public with its report, and to the period's members always.
rules.add_perm("followup.download_reportdocument",
               report_is_public | is_national_admin | is_member)

for action in ("view", "add", "change", "revert", "delete"):
    rules.add_perm(f"followup.{action}_yearendcomment",
                   is_national_admin | (is_member if action == "view" else is_editor))

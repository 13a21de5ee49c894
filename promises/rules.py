"""Who may do what with agreements, promise periods and what they hold: every permission
question about them is asked through `user.has_perm(perm, obj)` and answered here."""

import rules

from municipalities.roles import PUBLISHERS, Scope
from municipalities.rules import (
    SIGNERS, is_editor, is_member, is_national_admin, is_publisher, is_signer, places,
)
from promises.approval import sides_of


@rules.predicate
def is_published(user, obj):
    return obj is not None and getattr(obj, "is_published", False)


@rules.predicate
def is_under_published(user, obj):
    """A promise, activity, indicator, priority, focus area or signatory of a published
    period or agreement: removed only after unpublishing."""
    if obj is None:
        return False
    return undertaking_of(obj).is_published


def undertaking_of(obj):
    """The period or agreement a row belongs to."""
    for name in ("owner", "period", "agreement"):
        owner = getattr(obj, name, None)
        if owner is not None:
            return owner
    return obj.promise.period


@rules.predicate
def owner_is_published(user, document):
    return document is not None and document.owner.is_published


@rules.predicate
def may_sign_for(user, signatory):
    """A signer of the signatory's organisation (its police area, or its municipality),
    and only for a named signatory. Only an explicit signer membership counts: a national
    administrator configures the keys but does not apply another organisation's seal."""
    municipalities, areas = places(user, SIGNERS)
    if signatory is None:
        return bool(municipalities or areas)
    organisation = signatory.organisation()
    if organisation is None or not signatory.name.strip():
        return False
    scope = Scope(
        municipalities=frozenset({organisation.pk}) if signatory.party == "municipality"
        else frozenset(),
        police_areas=frozenset({organisation.pk}) if signatory.party == "police"
        else frozenset(),
    )
    return bool(scope.municipalities & municipalities or scope.police_areas & areas)


@rules.predicate
def publishes_for_a_party(user, obj=None):
    """A publisher of the municipality or of the police area of a period or tertial report
    (of some, without one): who approves it for publication (promises/approval.py). Only
    an explicit publisher membership counts: a national administrator is neither party."""
    if obj is None:
        return any(places(user, PUBLISHERS))
    return bool(sides_of(user, obj))


def may_sign(user, signatory):
    """`promises.sign_signatory`, asked of the rule itself: Django's `User.has_perm` says yes
    to a superuser before any rule is asked, and a superuser, like every national
    administrator, signs for no organisation."""
    return rules.has_perm("promises.sign_signatory", user, signatory)


reads = is_national_admin | is_member
edits = is_national_admin | is_editor

for model in ("agreement", "promiseperiod"):
    rules.add_perm(f"promises.view_{model}", reads)
    rules.add_perm(f"promises.preview_{model}", reads)
    rules.add_perm(f"promises.add_{model}", edits)
    rules.add_perm(f"promises.change_{model}", edits)
    rules.add_perm(f"promises.revert_{model}", edits)
    rules.add_perm(f"promises.delete_{model}", edits & ~is_published)
    # Publishing, and unpublishing with a reason: either party alone.
    rules.add_perm(f"promises.publish_{model}", is_national_admin | is_publisher)
    # Making the PDF: whoever prepares, publishes or signs it.
    rules.add_perm(f"promises.generate_{model}", edits | is_publisher | is_signer)

for model in ("agreementsection", "priority", "focusarea", "signatory", "promise", "activity",
              "indicator"):
    rules.add_perm(f"promises.view_{model}", reads)
    rules.add_perm(f"promises.add_{model}", edits)
    rules.add_perm(f"promises.change_{model}", edits)
    rules.add_perm(f"promises.revert_{model}", edits)
    rules.add_perm(f"promises.delete_{model}", edits & ~is_under_published)

# Approving a period for publication: each party's publisher (both, before it is published).
rules.add_perm("promises.approve_promiseperiod", publishes_for_a_party)
rules.add_perm("promises.sign_signatory", may_sign_for)
# Stored PDFs of periods and agreements: the public ones for everyone, every version for
# the members of the period or agreement. (Tertial report PDFs: followup/rules.py.)
rules.add_perm("promises.view_document", reads)
rules.add_perm("promises.download_document", owner_is_published | reads)

for action in ("view", "add", "change", "revert", "delete"):
    rules.add_perm(f"promises.{action}_signingkey", is_national_admin)

"""Make and sign a period's medborgarlöfte document: each version rendered once, then
signed by the police and the municipality in turn, every state stored (storage.py)."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from promises.documents import signing
from promises.documents.agreement import render_agreement
from promises.documents.storage import STATE_RANK, agreements, latest_agreement, read, store
from promises.models import Document, PromisePeriod, SigningParty

# The order the parties sign in, and the state each signature leads to.
SIGNING_ORDER = {
    SigningParty.POLICE: (Document.State.UNSIGNED, Document.State.SIGNED_BY_POLICE),
    SigningParty.MUNICIPALITY: (
        Document.State.SIGNED_BY_POLICE, Document.State.SIGNED_BY_BOTH,
    ),
}


class DocumentError(Exception):
    """A document cannot be made or signed; the message says why, for the person acting."""


@transaction.atomic
def generate_agreement(period, *, by=None):
    """Render the agreement as a new version, with an empty signature field per party."""
    period = PromisePeriod.objects.select_for_update().get(pk=period.pk)
    version = (agreements(period).aggregate(Max("version"))["version__max"] or 0) + 1
    rendered = render_agreement(period, version=version, created_at=timezone.now())
    data = signing.add_signature_fields(rendered.data, rendered.signature_boxes)
    return store(
        period=period, kind=Document.Kind.AGREEMENT, version=version,
        state=Document.State.UNSIGNED, data=data, by=by,
    )


@transaction.atomic
def sign_agreement(period, *, party, by=None):
    """Sign the newest agreement version as `party`: the police first, then the municipality."""
    party = SigningParty(party)
    period = PromisePeriod.objects.select_for_update().get(pk=period.pk)
    signatory = period.signatories.filter(party=party).order_by("order", "pk").first()
    if signatory is None:
        raise DocumentError(
            _("“%(period)s” has no signatory for %(party)s; add one before signing.")
            % {"period": period.title, "party": party.label}
        )
    current = latest_agreement(period)
    if current is None and party == SigningParty.POLICE:
        current = generate_agreement(period, by=by)
    required, result = SIGNING_ORDER[party]
    if current is None or STATE_RANK[current.state] < STATE_RANK[required]:
        raise DocumentError(
            _("The municipality signs after the police: the police have not signed version "
              "%(version)s yet.") % {"version": current.version if current else 1}
        )
    if STATE_RANK[current.state] > STATE_RANK[required]:
        raise DocumentError(
            _("%(party)s has already signed version %(version)s of this agreement. To sign "
              "again, generate a new version first.")
            % {"party": party.label, "version": current.version}
        )
    if party not in signed_fields_expected(current):
        raise DocumentError(
            _("Version %(version)s has no signature field for %(party)s; generate a new "
              "version first.") % {"version": current.version, "party": party.label}
        )
    try:
        data = signing.sign_pdf(
            read(current), party=party, signatory_name=signatory.name,
            signatory_title=signatory.title, certify=party == SigningParty.POLICE,
        )
    except signing.SigningKeyError as error:
        raise DocumentError(str(error)) from error
    except FileNotFoundError as error:
        raise DocumentError(
            _("The stored file of version %(version)s is missing; generate a new version.")
            % {"version": current.version}
        ) from error
    except signing.SigningError as error:  # e.g. the TSA could not be reached
        raise DocumentError(
            _("The agreement could not be signed: %(error)s") % {"error": error}
        ) from error
    return store(
        period=period, kind=Document.Kind.AGREEMENT, version=current.version,
        state=result, data=data, by=by,
    )


def signed_fields_expected(document):
    try:
        names = signing.field_names_in(read(document))
    except FileNotFoundError:
        return set()
    return {party for party, name in signing.FIELD_NAMES.items() if name in names}


def may_sign(access, period, *, party):
    """Whether the user (a municipalities.permissions.Access) may sign for `party`: the
    police through a police or publisher role in the period's police area, the municipality
    through a coordinator or publisher role in its municipality."""
    if access.is_national:
        return True
    for role, municipality_id, police_area_id in access.memberships:
        if party == SigningParty.POLICE and (
            (role in {"police", "publisher"} and police_area_id == period.police_area_id)
            or (role == "police" and municipality_id == period.municipality_id)
        ):
            return True
        if party == SigningParty.MUNICIPALITY and (
            role in {"coordinator", "publisher"} and municipality_id == period.municipality_id
        ):
            return True
    return False



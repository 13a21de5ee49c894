"""Make and sign the document of a period (the medborgarlöfte) or of an agreement: each
version rendered once with a signature field per signatory, then signed by each of them in
any order, every state stored (storage.py). The first signature certifies the document."""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.sign.general import SigningError

from municipalities.audit import record_event
from municipalities.models import AuditEvent
from promises.documents import keys, signing
from promises.documents.storage import issued, newest_state, owner_fields, read, store
from promises.documents.texts import render_document
from promises.models import Agreement, PromisePeriod


class DocumentError(Exception):
    """A document cannot be made or signed; the message says why, for the person acting."""


def locked(owner):
    model = Agreement if isinstance(owner, Agreement) else PromisePeriod
    return model.objects.select_for_update().get(pk=owner.pk)


@transaction.atomic
def generate_document(owner, *, by=None):
    """Render the owner's document as a new version, with an empty field per signatory."""
    owner = locked(owner)
    version = (issued(owner).aggregate(Max("version"))["version__max"] or 0) + 1
    rendered = render_document(owner, version=version, created_at=timezone.now())
    data = signing.add_signature_fields(rendered.data, rendered.signature_boxes)
    _fields, kind = owner_fields(owner)
    return store(owner=owner, kind=kind, version=version, data=data, by=by)


def person(user):
    if user is None:
        return _("the portal")
    return user.get_full_name() or user.get_username()


@transaction.atomic
def sign_document(owner, *, signatory, by=None, request=None):
    """Add `signatory`'s signature to the newest version, applied by `by` with the key of
    the signatory's organisation. Who may do so is a rule (promises.sign_signatory); this
    checks what the document allows."""
    owner = locked(owner)
    if signatory.owner != owner:
        raise DocumentError(_("That signatory does not sign this document."))
    if not signatory.name.strip():
        raise DocumentError(
            _("%(title)s has no name yet. Write the signatory's name, make a new version, "
              "then sign.") % {"title": signatory.title}
        )
    organisation = signatory.organisation()
    if organisation is None:
        raise DocumentError(
            _("Say which municipality %(name)s signs for.") % {"name": signatory.name}
        )
    state = newest_state(owner)
    if state is None:
        raise DocumentError(_("Make the document first, then sign it."))
    if state.superseded:
        raise DocumentError(
            _("The text changed after version %(version)s was made, so it can no longer be "
              "signed. Make a new version and sign that.") % {"version": state.version}
        )
    if signatory in state.signed:
        raise DocumentError(
            _("%(name)s has already signed version %(version)s.")
            % {"name": signatory.name, "version": state.version}
        )
    field = signing.field_name(signatory)
    try:
        current = read(state.document)
        if field not in signing.field_names_in(current):
            raise DocumentError(
                _("Version %(version)s has no signature field for %(name)s; make a new "
                  "version first.") % {"version": state.version, "name": signatory.name}
            )
        data = signing.sign_pdf(
            current, field=field, signer=keys.signer_for(organisation),
            signatory_name=signatory.name, signatory_title=signatory.title,
            organisation=str(getattr(organisation, "proper_name", organisation)),
            applied_by=person(by), certify=not state.signed,
        )
    except keys.SigningKeyError as error:
        raise DocumentError(str(error)) from error
    except FileNotFoundError as error:
        raise DocumentError(
            _("The stored file of version %(version)s is missing; make a new version.")
            % {"version": state.version}
        ) from error
    except SigningError as error:  # e.g. the timestamp server could not be reached
        raise DocumentError(
            _("The document could not be signed: %(error)s") % {"error": error}
        ) from error
    organisation_name = str(getattr(organisation, "proper_name", organisation))
    signed_for = f"{signatory.name}, {signatory.title} ({organisation_name})"
    document = store(
        owner=owner, kind=state.document.kind, version=state.version, data=data, by=by,
        signature_count=state.document.signature_count + 1, signatory=signatory,
        signed_for=signed_for,
    )
    record_event(
        action=AuditEvent.Action.SIGNED, user=by, obj=owner, request=request,
        model=owner._meta.label, pk=owner.pk, version=document.version,
        signatory=signed_for, sha256=document.sha256,
    )
    return document

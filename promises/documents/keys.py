"""Each organisation's signing key: a municipality or a police area signs with its own
certificate (an organisational seal), never with one shared by the installation.

A PKCS#12 file is kept in the database encrypted with the installation's key-encryption
key (SIGNING_KEY_ENCRYPTION_KEY); a PKCS#11 token is named by module, token and key label,
its PIN read from an environment variable at signing time.
"""

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.translation import gettext as _
from pyhanko.sign import signers

from promises.models import SigningKey


class SigningKeyError(Exception):
    """The organisation has no usable signing key; the message says why."""


def fernet():
    secret = settings.SIGNING_KEY_ENCRYPTION_KEY or settings.SECRET_KEY
    # Fernet wants 32 url-safe base64 bytes; any configured text is hashed to that.
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest()))


def load_pkcs12(data, passphrase):
    """A pyHanko signer from PKCS#12 bytes; SigningKeyError when they cannot be read."""
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(
            data, other_certs=None, passphrase=passphrase.encode() or None
        )
    except Exception as error:  # pyHanko raises several kinds for unreadable files
        raise SigningKeyError(
            _("The key file cannot be read (wrong passphrase, or not a PKCS#12 file): "
              "%(error)s") % {"error": error}
        ) from error
    if signer is None:
        raise SigningKeyError(_("The key file holds no key and certificate."))
    return signer


def save_pkcs12(key, data, passphrase):
    """Check that the file opens with the passphrase, then keep both encrypted on `key`."""
    signer = load_pkcs12(data, passphrase)
    box = fernet()
    key.kind = SigningKey.Kind.PKCS12
    key.encrypted_pkcs12 = box.encrypt(data)
    key.encrypted_passphrase = box.encrypt(passphrase.encode())
    key.certificate_subject = signer.signing_cert.subject.human_friendly[:300]
    key.certificate_valid_until = signer.signing_cert.not_valid_after
    key.save()
    _signers.pop(key.pk, None)
    return key


_signers = {}


def signer_for(organisation):
    """The signer of a municipality or police area, kept while its key row is unchanged."""
    key = SigningKey.objects.filter(
        **{"municipality" if organisation._meta.model_name == "municipality"
           else "police_area": organisation}
    ).first()
    if key is None:
        raise SigningKeyError(
            _("%(organisation)s has no signing key. A national administrator adds one "
              "under Signing keys.") % {"organisation": organisation}
        )
    cached = _signers.get(key.pk)
    if cached is not None and cached[0] == key.version:
        return cached[1]
    signer = read_signer(key)
    _signers[key.pk] = (key.version, signer)
    return signer


def read_signer(key):
    if key.kind == SigningKey.Kind.PKCS11:
        return pkcs11_signer(key)
    box = fernet()
    try:
        data = box.decrypt(bytes(key.encrypted_pkcs12))
        passphrase = box.decrypt(bytes(key.encrypted_passphrase)).decode()
    except InvalidToken as error:
        raise SigningKeyError(
            _("The signing key of %(organisation)s cannot be decrypted: the key-encryption "
              "key (SIGNING_KEY_ENCRYPTION_KEY) has changed. Upload the key file again.")
            % {"organisation": key.organisation}
        ) from error
    return load_pkcs12(data, passphrase)


def pkcs11_signer(key):
    try:
        from pyhanko.sign import pkcs11
    except ImportError as error:  # python-pkcs11 is an optional extra
        raise SigningKeyError(
            _("Signing with a PKCS#11 token needs the python-pkcs11 package on the server.")
        ) from error
    pin = os.environ.get(key.pkcs11_pin_variable or "", "")
    try:
        session = pkcs11.open_pkcs11_session(
            key.pkcs11_module, token_label=key.pkcs11_token, user_pin=pin or None
        )
        return pkcs11.PKCS11Signer(session, key_label=key.pkcs11_key,
                                   cert_label=key.pkcs11_key)
    except Exception as error:
        raise SigningKeyError(
            _("The PKCS#11 token of %(organisation)s cannot be opened: %(error)s")
            % {"organisation": key.organisation, "error": error}
        ) from error

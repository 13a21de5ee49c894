"""Make a demo certificate authority and give every municipality and police area that takes
part in a period or agreement its own demo signing key, for development and tests. The
subjects say DEMO; never use these keys for a real document."""

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.management.base import BaseCommand

from municipalities.models import Municipality, PoliceArea
from promises.documents import keys
from promises.models import SigningKey

DEMO = "Medborgarlöften DEMO"


def name(common_name, organisation=DEMO):
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ])


def certificate(*, subject, issuer, public_key, signing_key, is_ca, days):
    # Strict validators (NSS's PKIX path building in poppler's pdfsig) link a certificate to
    # its issuer through the Authority Key Identifier.
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(signing_key.public_key()),
            critical=False,
        )
        .add_extension(
            x509.KeyUsage(
                digital_signature=not is_ca, content_commitment=not is_ca,
                key_encipherment=False, data_encipherment=False, key_agreement=False,
                key_cert_sign=is_ca, crl_sign=is_ca, encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if not is_ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False
        )
    return builder.sign(signing_key, hashes.SHA256())


def demo_ca(folder):
    """The demo CA's certificate and key, made once and kept in `folder`."""
    cert_path, key_path = folder / "demo-ca.pem", folder / "demo-ca-key.pem"
    if cert_path.exists() and key_path.exists():
        return (
            x509.load_pem_x509_certificate(cert_path.read_bytes()),
            serialization.load_pem_private_key(key_path.read_bytes(), password=None),
        )
    folder.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name("Medborgarlöften DEMO CA")
    ca_cert = certificate(subject=ca_name, issuer=ca_name, public_key=ca_key.public_key(),
                          signing_key=ca_key, is_ca=True, days=3650)
    cert_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(ca_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))
    key_path.chmod(0o600)
    return ca_cert, ca_key


def issue(organisation, ca_cert, ca_key):
    """A PKCS#12 (no passphrase) for the organisation, signed by the demo CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    label = getattr(organisation, "proper_name", None) or organisation.name
    cert = certificate(
        subject=name(f"{label} (DEMO)", organisation=f"{label} – {DEMO}"),
        issuer=ca_cert.subject, public_key=key.public_key(), signing_key=ca_key,
        is_ca=False, days=825,
    )
    return pkcs12.serialize_key_and_certificates(
        label.encode(), key, cert, [ca_cert], serialization.NoEncryption()
    )


class Command(BaseCommand):
    help = ("Create a demo CA (once) and a demo signing key for every municipality and police "
            "area that takes part in a period or agreement and has none yet.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Replace the demo keys organisations already have.")

    def handle(self, *args, force=False, **options):
        ca_cert, ca_key = demo_ca(Path(settings.SIGNING_KEYS_DIR))
        organisations = [
            *Municipality.objects.filter(periods__isnull=False).distinct(),
            *Municipality.objects.filter(agreements__isnull=False).distinct(),
            *PoliceArea.objects.filter(promiseperiods__isnull=False).distinct(),
        ]
        made = 0
        for organisation in dict.fromkeys(organisations):
            field = "municipality" if isinstance(organisation, Municipality) else "police_area"
            key = SigningKey.objects.filter(**{field: organisation}).first()
            if key is not None and not force:
                continue
            key = key or SigningKey(**{field: organisation})
            keys.save_pkcs12(key, issue(organisation, ca_cert, ca_key), "")
            made += 1
            self.stdout.write(f"{organisation}: {key.certificate_subject}")
        self.stdout.write(self.style.SUCCESS(
            f"Demo CA: {Path(settings.SIGNING_KEYS_DIR) / 'demo-ca.pem'}; {made} keys made."
        ))

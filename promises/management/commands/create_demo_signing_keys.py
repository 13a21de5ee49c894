"""Make a demo certificate authority and one signer certificate per party, for development
and tests. The subjects say DEMO; never use these keys for a real agreement."""

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

ORGANISATION = "Medborgarlöften DEMO"
SIGNERS = {
    "police": "Polisen, lokalpolisområde (DEMO)",
    "municipality": "Kommunen, kommunstyrelsen (DEMO)",
}


def name(common_name):
    return x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "SE"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION),
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


class Command(BaseCommand):
    help = "Create a demo CA and a signer certificate for the police and the municipality."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Replace keys that already exist."
        )

    def handle(self, *args, force=False, **options):
        folder = Path(settings.SIGNING_KEYS_DIR)
        ca_path = folder / "demo-ca.pem"
        targets = [ca_path] + [Path(settings.SIGNING_KEYS[p]["file"]) for p in SIGNERS]
        existing = [path for path in targets if path.exists()]
        if existing and not force:
            raise CommandError(
                f"Signing keys already exist ({', '.join(map(str, existing))}); "
                "use --force to replace them."
            )
        folder.mkdir(parents=True, exist_ok=True)
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca_name = name("Medborgarlöften DEMO CA")
        ca_cert = certificate(
            subject=ca_name, issuer=ca_name, public_key=ca_key.public_key(),
            signing_key=ca_key, is_ca=True, days=3650,
        )
        ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
        for party, common_name in SIGNERS.items():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            cert = certificate(
                subject=name(common_name), issuer=ca_name, public_key=key.public_key(),
                signing_key=ca_key, is_ca=False, days=825,
            )
            config = settings.SIGNING_KEYS[party]
            passphrase = config["passphrase"].encode()
            encryption = (
                serialization.BestAvailableEncryption(passphrase) if passphrase
                else serialization.NoEncryption()
            )
            path = Path(config["file"])
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix.lower() in {".p12", ".pfx"}:
                data = pkcs12.serialize_key_and_certificates(
                    common_name.encode(), key, cert, [ca_cert], encryption
                )
            else:
                data = b"".join([
                    cert.public_bytes(serialization.Encoding.PEM),
                    ca_cert.public_bytes(serialization.Encoding.PEM),
                    key.private_bytes(
                        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                        encryption,
                    ),
                ])
            path.write_bytes(data)
            path.chmod(0o600)
            self.stdout.write(f"{party}: {path}")
        self.stdout.write(self.style.SUCCESS(f"Demo CA: {ca_path}"))

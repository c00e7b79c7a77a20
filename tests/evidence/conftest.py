"""Fixtures for the evidence tests: a workspace of their own, the vocabularies, an S3 server.

The S3 server is moto's ThreadedMotoServer on a free local port, spoken to over HTTP by boto3
exactly as a MinIO or AWS endpoint would be.
"""

from __future__ import annotations

import socket

import pytest
from PIL import Image


@pytest.fixture
def workspace(settings, tmp_path, monkeypatch):
    """A fresh workspace whose blob folder is the vault (KIROK_VAULT_URL unset)."""
    from kirok.workspace import Workspace

    monkeypatch.delenv("KIROK_VAULT_URL", raising=False)
    settings.WORKSPACE = Workspace(tmp_path / "workspace")
    return settings.WORKSPACE


@pytest.fixture
def vocabularies(db, workspace):
    """The shipped vocabularies, as `kirok init` loads them (the evidence codes among them)."""
    from kirok.records.reference import load_vocabularies

    load_vocabularies()


def plain_metadata(item):
    """An item's embedded metadata as the console operator reads it (sealed at rest, audited)."""
    from kirok.evidence.models import Item
    from kirok.evidence.protected import metadata_of
    from kirok.protection.principal import Principal

    return metadata_of(Item.objects.get(pk=item.pk), Principal.console("test"), purpose="test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3_env(s3_endpoint, monkeypatch):
    """boto3's environment pointed at the local server (the variables an operator sets)."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_endpoint)
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    return s3_endpoint


@pytest.fixture
def bucket(s3_env, request):
    """A new, empty bucket for each test."""
    import boto3

    name = f"kirok-{request.node.name.lower().replace('_', '-')[:40]}-{free_port()}"
    client = boto3.client("s3")
    client.create_bucket(Bucket=name)
    return name


def synthetic_jpeg(path, *, make="Synthetic Camera Co", model="TestCam 1", gps=True) -> None:
    """A small JPEG with EXIF: camera make and model, a capture time and (fictional) GPS position."""
    image = Image.new("RGB", (64, 48), (120, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = make
    exif[0x0110] = model
    exif.get_ifd(0x8769)[0x9003] = "2019:03:02 10:15:00"  # DateTimeOriginal
    if gps:
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1] = "N"
        gps_ifd[2] = (39.0, 1.0, 30.0)
    image.save(path, format="JPEG", exif=exif)


def c2pa_signed_jpeg(path) -> None:
    """A JPEG with a C2PA manifest, signed by a throw-away test CA (untrusted, as it should be)."""
    import datetime
    import io

    import c2pa
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    def name(common_name):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Kirok tests (synthetic)")])

    def usage(*, sign_certs: bool) -> x509.KeyUsage:
        return x509.KeyUsage(digital_signature=not sign_certs, content_commitment=False, key_encipherment=False,
                             data_encipherment=False, key_agreement=False, key_cert_sign=sign_certs, crl_sign=sign_certs,
                             encipher_only=False, decipher_only=False)

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def certificate(subject, public_key, *, ca: bool):
        builder = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name("Test CA")).public_key(public_key)
                   .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=30))
                   .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                   .add_extension(usage(sign_certs=ca), critical=True)
                   .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False))
        if not ca:
            builder = (builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
                       .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
        return builder.sign(ca_key, hashes.SHA256())

    chain = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (
        certificate("Test signer", key.public_key(), ca=False), certificate("Test CA", ca_key.public_key(), ca=True)))
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, private, None))
    source, signed = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (32, 32), (10, 80, 10)).save(source, "JPEG")
    source.seek(0)
    manifest = {
        "claim_generator_info": [{"name": "kirok-tests", "version": "1"}], "title": "synthetic.jpg",
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [{
            "action": "c2pa.created", "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}],
    }
    with c2pa.Builder(manifest) as builder:
        builder.sign(signer, "image/jpeg", source, signed)
    path.write_bytes(signed.getvalue())

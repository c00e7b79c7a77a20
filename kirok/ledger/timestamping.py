"""Optional RFC 3161 time-stamps on checkpoints, from a time-stamp authority (TSA).

A signed checkpoint says "the log was like this" in Kirok's own words and by Kirok's own clock;
a TSA's token says the checkpoint existed at a time an independent party vouches for. Set

    KIROK_TSA_URL   the TSA's RFC 3161 endpoint (HTTP POST, application/timestamp-query)
    KIROK_TSA_CA    a PEM file with the TSA's root certificate(s)

and each checkpoint is stamped after it is made. The whole response and the TSA's certificates
(those in the token plus the roots from KIROK_TSA_CA) are stored with the checkpoint, so the stamp
can be verified later offline, as of its own time (``rfc3161-client`` checks signature, chain,
the id-kp-timeStamping EKU, the nonce and the imprint).
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.utils.translation import gettext as _
from rfc3161_client import (
    HashAlgorithm, TimestampRequestBuilder, TimeStampResponse, VerificationError, VerifierBuilder, decode_timestamp_response,
)

TIMEOUT = 30


class TimestampFailed(RuntimeError):
    """The TSA could not be reached or gave no usable token; the checkpoint stays, unstamped."""


class TimestampInvalid(Exception):
    """A stored token does not verify."""


def configured() -> bool:
    return bool(os.environ.get("KIROK_TSA_URL"))


def _roots_from_setting() -> list[x509.Certificate]:
    path = os.environ.get("KIROK_TSA_CA", "")
    if not path:
        raise TimestampFailed(_("KIROK_TSA_URL is set but KIROK_TSA_CA is not: name a PEM file with the TSA's root certificate"))
    try:
        return x509.load_pem_x509_certificates(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise TimestampFailed(_("cannot read the TSA roots from KIROK_TSA_CA=%(path)s: %(error)s") % {"path": path, "error": exc}) from None


def _verifier(certificates: list[x509.Certificate], nonce: int | None = None):
    """Roots are the self-signed certificates; the others are intermediates or the TSA's own."""
    builder = VerifierBuilder()
    for cert in certificates:
        if cert.issuer == cert.subject:
            builder = builder.add_root_certificate(cert)
        else:
            builder = builder.add_intermediate_certificate(cert)
    if nonce is not None:
        builder = builder.nonce(nonce)
    return builder.build()


def _pem(certificates: list[x509.Certificate]) -> str:
    return "".join(c.public_bytes(Encoding.PEM).decode() for c in certificates)


def request_token(message: bytes, url: str) -> tuple[bytes, TimeStampResponse, int]:
    request = TimestampRequestBuilder().data(message).hash_algorithm(HashAlgorithm.SHA256).build()
    http = urllib.request.Request(url, data=request.as_bytes(), headers={"Content-Type": "application/timestamp-query"})
    try:
        with urllib.request.urlopen(http, timeout=TIMEOUT) as answer:
            body = answer.read()
    except (urllib.error.URLError, OSError) as exc:
        raise TimestampFailed(_("the TSA at %(url)s did not answer: %(error)s") % {"url": url, "error": exc}) from None
    try:
        return body, decode_timestamp_response(body), request.nonce
    except ValueError as exc:
        raise TimestampFailed(_("the TSA at %(url)s sent no time-stamp response: %(error)s") % {"url": url, "error": exc}) from None


def stamp(checkpoint, origin: str) -> None:
    """Ask the TSA for a token over the checkpoint's signed body, check it, and store it."""
    url = os.environ["KIROK_TSA_URL"]
    roots = _roots_from_setting()
    message = checkpoint.statement(origin).body()
    der, response, nonce = request_token(message, url)
    embedded = [x509.load_der_x509_certificate(c) for c in response.signed_data.certificates]
    chain = embedded + [r for r in roots if r not in embedded]
    try:
        _verifier(chain, nonce).verify_message(response, message)
    except VerificationError as exc:
        raise TimestampFailed(_("the token from %(url)s does not verify: %(error)s") % {"url": url, "error": exc}) from None
    checkpoint.tsa_token = der
    checkpoint.tsa_chain = _pem(chain)
    checkpoint.save(update_fields=["tsa_token", "tsa_chain"])


def verify(checkpoint, origin: str) -> TimeStampResponse:
    """Check a stored token offline against the stored certificates; returns it (for its time)."""
    try:
        response = decode_timestamp_response(bytes(checkpoint.tsa_token))
        chain = x509.load_pem_x509_certificates(checkpoint.tsa_chain.encode()) if checkpoint.tsa_chain else []
    except ValueError as exc:
        raise TimestampInvalid(_("the stored token or certificates cannot be read: %(error)s") % {"error": exc}) from None
    if not any(c.issuer == c.subject for c in chain):
        raise TimestampInvalid(_("no root certificate is stored with the token"))
    try:
        _verifier(chain).verify_message(response, checkpoint.statement(origin).body())
    except VerificationError as exc:
        raise TimestampInvalid(str(exc)) from None
    return response

"""Model updates over https:// on the unix port (its ssl module links Debian's mbedTLS), from a
local server on 127.0.0.1 with a self-signed certificate made for the test."""

from __future__ import annotations

import datetime
import ipaddress
import ssl
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from test_update import ACTIVE_1, _active, _update, fresh_paths, site, unix  # noqa: F401
from tinyml.device import Device

SERVER_LIFETIME_S = 300


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    return cert_path, key_path


class _Quiet(SimpleHTTPRequestHandler):
    timeout = 10

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def https_server(site: Path, tmp_path: Path):  # noqa: F811
    cert, key = _self_signed(tmp_path)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(site)))
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    timer = threading.Timer(SERVER_LIFETIME_S, httpd.shutdown)  # stops even without teardown
    timer.daemon = True
    timer.start()
    yield f"https://127.0.0.1:{httpd.server_address[1]}"
    timer.cancel()
    httpd.shutdown()
    httpd.server_close()
    thread.join(10)


def test_update_over_https(unix: Device, https_server: str) -> None:  # noqa: F811
    """The unix firmware has ssl, and an update from an https:// manifest installs and
    self-tests model 1 as over http://; the certificate is not checked (see README)."""
    assert unix.exec("import tls\nprint(hasattr(tls, 'SSLContext'))").strip() == "True"
    assert _update(unix, https_server + "/1/manifest.json") == "updated a 1"
    assert _active(unix) == ACTIVE_1

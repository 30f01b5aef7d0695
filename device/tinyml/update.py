# ruff: noqa: UP031 (%-formatting works on every MicroPython build; f-strings may be off)
# Model updates in the field: two slots, a self-test, and a switch that survives a reset.
#
#     import tinyml.update
#     tinyml.update.update("http://192.168.1.10:8000/manifest.json")   # raises UpdateError
#     active = tinyml.update.load_active()
#     print(active.version, active.slot, active.model.classify(x))
#
# Layout under ROOT: slot_a/ and slot_b/ each hold one model with its manifest.json (written by
# `tinyml publish` on the host), and a one-line JSON record ``active`` names the slot in use.
# An update only ever writes the slot that is not active, then verifies it (sizes and SHA-256
# against the manifest, read back from flash), loads it and runs its self-test, and only then
# switches: the new record goes to ``active.tmp`` and replaces ``active`` by remove + rename
# (FAT cannot rename over a file). A reset before the remove keeps the old record; after it, the
# complete ``active.tmp`` is the record (and the next update renames it into place before it
# writes anything). Either way exactly one of the two models is active.
import binascii
import errno
import hashlib
import json
import os
import sys

import tinyml

# On the unix port (and CPython) the device's filesystem is the host's working directory.
ROOT = "models" if sys.platform in ("linux", "darwin", "win32") else "/models"
SLOTS = ("a", "b")
MANIFEST = "manifest.json"
FORMAT = 1
CHUNK = 2048
MAX_MANIFEST = 256 * 1024
TIMEOUT_S = 10


class UpdateError(Exception):
    """An update was refused; the active model is unchanged. ``step`` names where it stopped."""

    def __init__(self, step, reason):
        super().__init__(reason)
        self.step = step
        self.reason = reason


class NoModelError(Exception):
    """No model has been installed through the slots (or the record naming it is unreadable)."""


def _join(*parts):
    return "/".join(parts)


def _exists(path):
    try:
        os.stat(path)
        return True
    except OSError:
        return False


def _makedirs(path):
    cur = "/" if path.startswith("/") else ""
    for part in path.split("/"):
        if part:
            cur = cur + part if cur in ("", "/") else _join(cur, part)
            if not _exists(cur):
                os.mkdir(cur)


def _remove(path):
    try:
        os.remove(path)
    except OSError:
        pass


def _sync():
    sync = getattr(os, "sync", None)
    if sync:
        sync()


def slot_dir(slot, root=ROOT):
    return _join(root, "slot_" + slot)


def _read_record(path):
    try:
        with open(path) as f:
            rec = json.loads(f.read())
        if rec.get("slot") in SLOTS:
            return rec
    except (OSError, ValueError, AttributeError):
        pass
    return None


def active_record(root=ROOT):
    """The record naming the active slot ({"slot": "a", "version": ...}), or None."""
    rec = _read_record(_join(root, "active"))
    if rec is None:
        # A reset between removing the old record and renaming the new one into place. The
        # temporary record exists only from a verified switch on (_settle clears stale ones).
        rec = _read_record(_join(root, "active.tmp"))
    return rec


def _settle(root):
    """Finishes a switch that a reset interrupted, or drops a stale ``active.tmp``, so that the
    next switch never overwrites the only record."""
    final, tmp = _join(root, "active"), _join(root, "active.tmp")
    if _read_record(final) is not None:
        _remove(tmp)
    elif _read_record(tmp) is not None:
        _remove(final)
        os.rename(tmp, final)
    _sync()


def spare_slot(root=ROOT):
    """The slot an update may write: never the active one."""
    rec = active_record(root)
    return "b" if rec is not None and rec["slot"] == "a" else "a"


def _safe_name(step, name):
    if not isinstance(name, str) or not name or "/" in name or name[0] == "." or name == MANIFEST:
        raise UpdateError(step, "manifest names a bad file name %r" % (name,))
    return name


def parse_manifest(text):
    """Checks a manifest's fields; returns it as a dict or raises UpdateError("manifest", ...)."""
    try:
        m = json.loads(text)
    except ValueError:
        raise UpdateError("manifest", "manifest is not valid JSON")
    if not isinstance(m, dict) or m.get("format") != FORMAT:
        raise UpdateError(
            "manifest",
            "manifest format %r is not %d (publish it with this tinyml version)"
            % (m.get("format") if isinstance(m, dict) else None, FORMAT),
        )
    files = m.get("files")
    if not isinstance(files, dict) or "model" not in files:
        raise UpdateError("manifest", "manifest lists no model file")
    for role, f in files.items():
        if role not in ("model", "labels", "pipeline"):
            raise UpdateError("manifest", "manifest lists an unknown file role %r" % role)
        if not isinstance(f, dict):
            raise UpdateError("manifest", "manifest entry %r is not an object" % role)
        _safe_name("manifest", f.get("name"))
        if not isinstance(f.get("size"), int) or f["size"] < 0:
            raise UpdateError("manifest", "manifest gives no size for " + role)
        h = f.get("sha256")
        if not isinstance(h, str) or len(h) != 64:
            raise UpdateError("manifest", "manifest gives no sha256 for " + role)
    t = m.get("self_test")
    if (
        not isinstance(t, dict)
        or not isinstance(t.get("inputs"), list)
        or not isinstance(t.get("outputs"), list)
    ):
        raise UpdateError("manifest", "manifest has no self-test (inputs and outputs)")
    if not isinstance(m.get("version"), str):
        raise UpdateError("manifest", "manifest has no version")
    return m


# HTTP(S) --------------------------------------------------------------------------------------


def _split_url(url, step):
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("http", "https"):
        raise UpdateError(step, "%s: only http:// and https:// URLs are supported" % url)
    hostport, _, path = rest.partition("/")
    host, _, port = hostport.partition(":")
    try:
        port = int(port) if port else (443 if scheme == "https" else 80)
    except ValueError:
        raise UpdateError(step, "%s: bad port" % url)
    return scheme, host, port, "/" + path


def _resolve(base, name):
    return base[: base.rfind("/") + 1] + name


class _Response:
    def __init__(self, sock, stream, length):
        self.sock = sock
        self.stream = stream
        self.length = length  # None when the server sent no Content-Length

    def readinto(self, buf):
        return self.stream.readinto(buf)

    def close(self):
        if self.stream is not self.sock:
            self.stream.close()
        self.sock.close()


def _tls(ssl, sock, host):
    if hasattr(ssl, "create_default_context"):
        return ssl.create_default_context().wrap_socket(sock, server_hostname=host)
    if hasattr(ssl, "wrap_socket"):
        return ssl.wrap_socket(sock, server_hostname=host)
    # MicroPython's tls module alone (no ssl.py frozen in): a client context, checking no
    # certificate as ssl.wrap_socket does.
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.verify_mode = ssl.CERT_NONE
    return context.wrap_socket(sock, server_hostname=host)


def _get(url, step):
    """Opens ``url`` and reads the headers; the body is read from the returned _Response."""
    import socket

    scheme, host, port, path = _split_url(url, step)
    try:
        addr = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0][-1]
        sock = socket.socket()
    except OSError as e:
        raise UpdateError(step, "%s: cannot resolve %s: %s" % (url, host, e))
    try:
        sock.settimeout(TIMEOUT_S)
        sock.connect(addr)
        if scheme == "https":
            try:
                import ssl
            except ImportError:
                try:
                    import tls as ssl
                except ImportError:
                    raise UpdateError(
                        step,
                        "%s: this firmware has no ssl module; use an http:// URL" % url,
                    )
            # The server's certificate is checked only where a context has CA certificates
            # (CPython); the manifest's hashes catch corruption, not a forged server.
            try:
                sock = _tls(ssl, sock, host)
            except OSError as e:
                # mbedTLS gives (code, text); show its text.
                why = e.args[-1] if e.args else e
                raise UpdateError(
                    step, "%s: TLS handshake failed: %s; is the server https?" % (url, why)
                )
        request = "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n" % (path, host)
        send = getattr(sock, "sendall", None) or sock.write
        send(request.encode())
        stream = sock.makefile("rb") if hasattr(sock, "makefile") else sock
        status = stream.readline().split(None, 2)
        if len(status) < 2 or status[1] != b"200":
            code = status[1].decode() if len(status) > 1 else "no answer"
            raise UpdateError(step, "%s: server answered %s" % (url, code))
        length = None
        while True:
            line = stream.readline()
            if not line or line == b"\r\n":
                break
            key, _, value = line.partition(b":")
            if key.strip().lower() == b"content-length":
                length = int(value.strip())
        return _Response(sock, stream, length)
    except OSError as e:
        sock.close()
        raise UpdateError(step, "%s: %s" % (url, _oserror(e)))
    except UpdateError:
        sock.close()
        raise


def _oserror(e):
    code = e.args[0] if e.args else None
    if not isinstance(code, int):
        return str(e)
    # MicroPython names only the common codes.
    return errno.errorcode.get(code, "errno %d" % code)


def _download(url, dest, size, hook):
    """Streams ``url`` to ``dest``; its length must be ``size`` (the manifest's)."""
    r = _get(url, "download")
    try:
        if r.length is not None and r.length != size:
            raise UpdateError(
                "download", "%s: server sends %d bytes, manifest says %d" % (url, r.length, size)
            )
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        got = 0
        with open(dest, "wb") as f:
            while True:
                try:
                    n = r.readinto(buf)
                except OSError as e:
                    raise UpdateError(
                        "download",
                        "%s: connection lost after %d of %d bytes (%s)"
                        % (url, got, size, _oserror(e)),
                    )
                if not n:
                    break
                got += n
                if got > size:
                    raise UpdateError("download", "%s: longer than the manifest's %d bytes"
                                      % (url, size))  # fmt: skip
                f.write(view[:n])
                hook("downloading")
        if got != size:
            raise UpdateError(
                "download",
                "%s: truncated: got %d of %d bytes (connection closed)" % (url, got, size),
            )
    finally:
        r.close()


def _fetch_manifest(url):
    r = _get(url, "manifest")
    try:
        chunks = []
        total = 0
        buf = bytearray(CHUNK)
        while True:
            try:
                n = r.readinto(buf)
            except OSError as e:
                raise UpdateError("manifest", "%s: connection lost (%s)" % (url, _oserror(e)))
            if not n:
                break
            total += n
            if total > MAX_MANIFEST:
                raise UpdateError("manifest", "%s: larger than %d bytes" % (url, MAX_MANIFEST))
            chunks.append(bytes(buf[:n]))
        data = b"".join(chunks)
        if r.length is not None and len(data) != r.length:
            raise UpdateError("manifest", "%s: truncated: got %d of %d bytes"
                              % (url, len(data), r.length))  # fmt: skip
        return data
    finally:
        r.close()


# The update --------------------------------------------------------------------------------


def _no_hook(step):
    pass


def _sha256_file(path):
    h = hashlib.sha256()
    buf = bytearray(CHUNK)
    view = memoryview(buf)
    size = 0
    with open(path, "rb") as f:
        while True:
            n = f.readinto(buf)
            if not n:
                break
            h.update(view[:n])
            size += n
    return binascii.hexlify(h.digest()).decode(), size


def _verify_files(directory, manifest):
    for f in manifest["files"].values():
        path = _join(directory, f["name"])
        try:
            digest, size = _sha256_file(path)
        except OSError:
            raise UpdateError("verify", "%s: missing" % f["name"])
        if size != f["size"]:
            raise UpdateError(
                "verify", "%s: %d bytes, manifest says %d" % (f["name"], size, f["size"])
            )
        if digest != f["sha256"]:
            raise UpdateError(
                "verify",
                "%s: sha256 %s..., manifest says %s... (corrupt download?)"
                % (f["name"], digest[:12], f["sha256"][:12]),
            )


def _b64(step, text):
    try:
        return binascii.a2b_base64(text)
    except (ValueError, TypeError):
        raise UpdateError(step, "manifest self-test data is not base64")


def self_test(model, manifest):
    """Runs the manifest's stored inputs; the raw outputs must equal the stored ones exactly."""
    t = manifest["self_test"]
    if len(t["inputs"]) != model.num_inputs or len(t["outputs"]) != model.num_outputs:
        raise UpdateError(
            "self_test",
            "self-test has %d inputs and %d outputs, the model %d and %d"
            % (len(t["inputs"]), len(t["outputs"]), model.num_inputs, model.num_outputs),
        )
    for i, text in enumerate(t["inputs"]):
        data = _b64("self_test", text)
        view = model.input(i)
        if len(data) != len(view):
            raise UpdateError("self_test", "self-test input %d has %d bytes, the model takes %d"
                              % (i, len(data), len(view)))  # fmt: skip
        view[:] = data
    model.invoke()
    for i, text in enumerate(t["outputs"]):
        want = _b64("self_test", text)
        got = bytes(model.output(i))
        if got != want:
            at = 0
            while at < min(len(got), len(want)) and got[at] == want[at]:
                at += 1
            raise UpdateError(
                "self_test",
                "self-test output %d differs from the manifest's at byte %d of %d"
                % (i, at, len(want)),
            )


class Active:
    """The model in use: ``model`` (a tinyml.Model), ``slot``, ``version`` and its files."""

    def __init__(self, slot, directory, manifest, model):
        self.slot = slot
        self.directory = directory
        self.manifest = manifest
        self.version = manifest["version"]
        self.model = model
        files = manifest["files"]
        self.model_path = _join(directory, files["model"]["name"])
        self.labels_path = _join(directory, files["labels"]["name"]) if "labels" in files else None
        self.pipeline = None
        if "pipeline" in files:
            with open(_join(directory, files["pipeline"]["name"])) as f:
                self.pipeline = json.loads(f.read())

    def __repr__(self):
        return "<model %s in slot %s: %s>" % (self.version, self.slot, self.model_path)


def _load_slot(slot, root, step="load"):
    directory = slot_dir(slot, root)
    try:
        with open(_join(directory, MANIFEST)) as f:
            manifest = parse_manifest(f.read())
    except OSError:
        raise UpdateError(step, "%s has no %s" % (directory, MANIFEST))
    files = manifest["files"]
    path = _join(directory, files["model"]["name"])
    labels = _join(directory, files["labels"]["name"]) if "labels" in files else None
    try:
        model = tinyml.Model(path, labels=labels) if labels else tinyml.Model(path)
    except (OSError, ValueError, NotImplementedError, MemoryError) as e:
        raise UpdateError(step, "%s does not load: %s" % (path, e))
    try:
        return Active(slot, directory, manifest, model)
    except (OSError, ValueError) as e:
        raise UpdateError(step, "%s: pipeline settings do not load: %s" % (directory, e))


def load_active(root=ROOT, verify=False):
    """Loads the active model and says which it is (``.slot``, ``.version``).

    ``verify=True`` also checks every file's size and SHA-256 against the slot's manifest.
    Raises NoModelError when no update has ever been installed.
    """
    rec = active_record(root)
    if rec is None:
        if _exists(_join(root, "active")):
            what = "unreadable record %s/active" % root
        else:
            what = "no model installed in %s" % root
        raise NoModelError(what + ": run tinyml.update.update(url) or tinyml push --update DIR")
    if verify:
        with open(_join(slot_dir(rec["slot"], root), MANIFEST)) as f:
            _verify_files(slot_dir(rec["slot"], root), parse_manifest(f.read()))
    return _load_slot(rec["slot"], root)


def _write_record(root, slot, version, hook):
    tmp, final = _join(root, "active.tmp"), _join(root, "active")
    with open(tmp, "w") as f:
        f.write(json.dumps({"slot": slot, "version": version}))
    _sync()
    if _read_record(tmp) is None:
        raise UpdateError("switch", "%s did not read back: is the filesystem full?" % tmp)
    hook("record_written")
    _remove(final)
    _sync()
    hook("old_record_removed")
    os.rename(tmp, final)
    _sync()
    hook("switched")


def clear_slot(slot, root=ROOT):
    """Empties ``slot`` (never the active one) and returns its directory."""
    if slot not in SLOTS:
        raise ValueError("slot must be 'a' or 'b'")
    _settle(root)
    rec = active_record(root)
    if rec is not None and rec["slot"] == slot:
        raise ValueError("slot %s is active: an update writes the other one" % slot)
    directory = slot_dir(slot, root)
    _makedirs(directory)
    for name in os.listdir(directory):
        _remove(_join(directory, name))
    return directory


def install(slot, root=ROOT, hook=_no_hook):
    """Verifies the files in the spare ``slot`` against its manifest.json, loads the model, runs
    its self-test and switches to it. Returns the new Active; raises UpdateError otherwise."""
    _settle(root)
    rec = active_record(root)
    if rec is not None and rec["slot"] == slot:
        raise UpdateError("verify", "slot %s is the active one" % slot)
    directory = slot_dir(slot, root)
    try:
        with open(_join(directory, MANIFEST)) as f:
            manifest = parse_manifest(f.read())
    except OSError:
        raise UpdateError("verify", "%s has no %s" % (directory, MANIFEST))
    _verify_files(directory, manifest)
    hook("verified")
    active = _load_slot(slot, root, "self_test")
    self_test(active.model, manifest)
    hook("self_tested")
    _write_record(root, slot, manifest["version"], hook)
    return active


def update(url, root=ROOT, hook=_no_hook):
    """Downloads the manifest at ``url`` and the files it lists into the spare slot, then
    ``install``s them. Returns the new Active; on any failure raises UpdateError (its message
    says why) and the model that was active stays active.

    ``hook(step)`` is called after each step ("manifest", "slot_cleared", "downloading" after
    every chunk, "downloaded", "verified", "self_tested", "record_written",
    "old_record_removed", "switched"); tests use it to stop the update at each of them.
    """
    raw = _fetch_manifest(url)
    manifest = parse_manifest(raw)
    hook("manifest")
    slot = spare_slot(root)
    try:
        directory = clear_slot(slot, root)
        hook("slot_cleared")
        for f in manifest["files"].values():
            _download(_resolve(url, f["name"]), _join(directory, f["name"]), f["size"], hook)
        with open(_join(directory, MANIFEST), "wb") as f:
            f.write(raw)
    except OSError as e:
        raise UpdateError(
            "download", "cannot write slot %s: %s (is the filesystem full?)" % (slot, _oserror(e))
        )
    hook("downloaded")
    return install(slot, root, hook)


def check(url, root=ROOT):
    """The agent's one step: updates when the server's version differs from the active one.

    Returns ("current", Active-or-None), ("updated", Active) or ("refused", reason); the model
    that was active stays in use unless the update succeeded.
    """
    try:
        manifest = parse_manifest(_fetch_manifest(url))
        rec = active_record(root)
        if rec is not None and rec.get("version") == manifest["version"]:
            return "current", load_active(root)
        return "updated", update(url, root)
    except UpdateError as e:
        return "refused", "%s: %s" % (e.step, e.reason)


def agent(url, interval_s=3600, root=ROOT, on_change=None, checks=None):
    """Checks ``url`` every ``interval_s`` seconds, ``checks`` times (None: forever); calls
    ``on_change(Active)`` after each successful switch and prints refusals."""
    import time

    done = 0
    while checks is None or done < checks:
        if done:
            time.sleep(interval_s)
        status, detail = check(url, root)
        if status == "updated" and on_change is not None:
            on_change(detail)
        elif status == "refused":
            print("tinyml.update: kept the active model:", detail)
        done += 1

"""The servers bench/run measures: rapid, the original ganeti-rapi (the
sandbox's own and a plain-HTTP one), nginx."""

import os
import shutil
import signal
import subprocess
import urllib.request

from common import (ORIGINAL_PID_FILE, ORIGINAL_TLS_PORT, RAPI_PEM, SANDBOX, USERS_FILE,
                    free_port, http_status, in_sandbox, log, read_pid, status_value, wait_until)


class Processes:
    """Everything this run started, stopped again at the end (by pid)."""

    def __init__(self):
        self.procs = []

    def start(self, argv, log_path):
        with open(log_path, "ab") as out:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        return proc

    def stop_all(self):
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def rapid_argv(binary, work, name, port, metrics_port, extra):
    return [SANDBOX, "uts", binary, "--no-user-check", "--require-authentication",
            "-b", "127.0.0.1", "-p", str(port), "--pid-file", os.path.join(work, name + ".pid"),
            "--log-file", os.path.join(work, name + "-access.log"),
            "--audit-log", os.path.join(work, name + "-audit.log"),
            "--users-file", USERS_FILE, "--metrics-port", str(metrics_port)] + extra


def detached_start_kb(work, binary):
    """rapid's RSS once it serves when it detaches, as Ganeti's daemon-util
    starts it (start-stop-daemon, no -f), in kB. The detached child maps only
    the file pages it touches itself: not those that loading the libraries and
    parsing the options touched before the fork, which a rapid run with -f
    keeps mapped (about 2.6 MB of them)."""
    name = "rapid-detached"
    port = free_port()
    with open(os.path.join(work, name + ".out"), "ab") as out:
        subprocess.run(rapid_argv(binary, work, name, port, free_port(), []),
                       stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                       timeout=60, check=True)
    pid = read_pid(os.path.join(work, name + ".pid"))
    try:
        wait_until("%s on port %d" % (name, port),
                   lambda: http_status("https://127.0.0.1:%d/version" % port) == 200)
        return status_value(pid, "VmRSS")
    finally:
        os.kill(pid, signal.SIGTERM)
        wait_until("%s to stop" % name, lambda: status_value(pid, "VmRSS") is None)


class Rapid:
    """One rapid as in production: permissions (the sandbox's users file),
    metrics, audit log and access log on. Through `ganeti-sandbox uts` (the
    node's hostname), on the host's loopback."""

    def __init__(self, procs, work, binary, name, tls_args):
        self.name = name
        self.port = free_port()
        self.metrics_port = free_port()
        self.scheme = "http" if "--no-ssl" in tls_args else "https"
        self.pid_file = os.path.join(work, name + ".pid")
        argv = rapid_argv(binary, work, name, self.port, self.metrics_port, ["-f"] + tls_args)
        self.proc = procs.start(argv, os.path.join(work, name + ".out"))
        wait_until("%s on port %d" % (name, self.port), self._ready)
        self.pid = read_pid(self.pid_file)

    def _ready(self):
        if self.proc.poll() is not None:
            raise RuntimeError("%s exited with %d at start-up (see %s.out)"
                               % (self.name, self.proc.returncode, self.name))
        return http_status(self.url("/version")) == 200

    def url(self, path):
        return "%s://127.0.0.1:%d%s" % (self.scheme, self.port, path)

    def luxi_calls(self):
        """rapid_luxi_calls_total, summed over its labels (None: no answer)."""
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % self.metrics_port,
                                        timeout=5) as answer:
                text = answer.read().decode()
        except OSError:
            return None
        return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
                   if line.startswith("rapid_luxi_calls_total"))

    def rss_kb(self):
        return status_value(self.pid, "VmRSS")

    def peak_kb(self):
        return status_value(self.pid, "VmHWM")

    def reset_peak(self):
        # "5" resets VmHWM to the current RSS (proc(5), clear_refs).
        with open("/proc/%d/clear_refs" % self.pid, "w") as f:
            f.write("5")


class Original:
    """The real ganeti-rapi: the sandbox's own on 5080 (HTTPS), and for plain
    HTTP a second one started here with --no-ssl. A second ganeti-rapi would
    fail on the first one's locked pid file (/run/ganeti/ganeti-rapi.pid), so
    it runs in a private mount namespace with a tmpfs over /run/ganeti that
    holds only the real socket directory."""

    def __init__(self, scheme, port):
        self.scheme = scheme
        self.port = port
        self.proc = None

    @classmethod
    def sandbox_tls(cls):
        return cls("https", ORIGINAL_TLS_PORT)

    @classmethod
    def started_plain(cls, procs, work):
        self = cls("http", free_port())
        real = os.path.join(work, "real-run-ganeti")
        os.makedirs(real)
        script = """set -e
mount --bind /run/ganeti {real}
mount -t tmpfs -o mode=0755 rapid-bench /run/ganeti
mkdir /run/ganeti/socket
mount --bind {real}/socket /run/ganeti/socket
chown gnt-rapi:gnt-rapi /run/ganeti
exec setpriv --reuid=gnt-rapi --regid=gnt-rapi --init-groups \
  /usr/sbin/ganeti-rapi -f --no-ssl -b 127.0.0.1 -p {port} --require-authentication
""".format(real=real, port=self.port)
        self.proc = procs.start(in_sandbox(["unshare", "-m", "--propagation", "private",
                                            "sh", "-c", script]),
                                os.path.join(work, "original-http.out"))
        wait_until("the plain-HTTP ganeti-rapi on port %d" % self.port,
                   lambda: self._alive() and http_status(self.url("/version"), inside=True) == 200,
                   timeout=60)
        return self

    def _alive(self):
        if self.proc.poll() is not None:
            raise RuntimeError("the plain-HTTP ganeti-rapi exited with %d (see its .out file)"
                               % self.proc.returncode)
        return True

    @property
    def pid(self):
        # ip netns exec, nsenter, unshare and setpriv all exec: Popen's pid is the daemon's.
        return self.proc.pid if self.proc else read_pid(ORIGINAL_PID_FILE)

    def url(self, path):
        return "%s://127.0.0.1:%d%s" % (self.scheme, self.port, path)


class Nginx:
    """nginx-light: 2 workers, access log on, /version as a fixed body (rapid's
    answer), HTTPS with the cluster's RSA key and with an ECDSA P-256 one,
    and plain HTTP. It does not check the credentials it is sent."""

    def __init__(self, procs, work, version_body, ecdsa_key, ecdsa_cert):
        ensure_nginx()
        self.dir = os.path.join(work, "nginx")
        os.makedirs(self.dir)
        os.chmod(work, 0o755)  # the workers (nobody) read version.json
        with open(os.path.join(self.dir, "version.json"), "wb") as f:
            f.write(version_body)
        self.ports = {"rsa": free_port(), "ecdsa": free_port(), "http": free_port()}
        location = ("location = /version { default_type application/json; alias %s; }"
                    % os.path.join(self.dir, "version.json"))
        conf = """worker_processes 2;
pid {d}/nginx.pid;
error_log {d}/error.log;
events {{ worker_connections 4096; }}
http {{
  access_log {d}/access.log;
  keepalive_requests 1000000;
  # rapid's protocols. Debian's nginx 1.22 offers TLS 1.2 at most by default,
  # and wrk resumes TLS 1.2 sessions on its new connections (SSL_clear keeps
  # the session) but not TLS 1.3 ones: nginx's new connections would be
  # resumptions, rapid's full handshakes.
  ssl_protocols TLSv1.2 TLSv1.3;
  server {{ listen 127.0.0.1:{rsa} ssl; ssl_certificate {pem}; ssl_certificate_key {pem}; {loc} }}
  server {{ listen 127.0.0.1:{ecdsa} ssl; ssl_certificate {cert}; ssl_certificate_key {key}; {loc} }}
  server {{ listen 127.0.0.1:{http}; {loc} }}
}}
""".format(d=self.dir, pem=RAPI_PEM, cert=ecdsa_cert, key=ecdsa_key, loc=location, **self.ports)
        conf_path = os.path.join(self.dir, "nginx.conf")
        with open(conf_path, "w") as f:
            f.write(conf)
        self.proc = procs.start(["nginx", "-p", self.dir, "-c", conf_path, "-g", "daemon off;"],
                                os.path.join(self.dir, "nginx.out"))
        wait_until("nginx", lambda: http_status(self.url("rsa", "/version")) == 200)

    def url(self, key, path):
        scheme = "http" if key == "http" else "https"
        return "%s://127.0.0.1:%d%s" % (scheme, self.ports[key], path)


def ensure_nginx():
    if shutil.which("nginx"):
        return
    log("installing nginx-light (its service is not started)")
    # As scripts/ganeti-sandbox does: policy-rc.d 101 keeps the package's
    # postinst from starting nginx on port 80.
    created = not os.path.exists("/usr/sbin/policy-rc.d")
    if created:
        with open("/usr/sbin/policy-rc.d", "w") as f:
            f.write("#!/bin/sh\nexit 101\n")
        os.chmod("/usr/sbin/policy-rc.d", 0o755)
    try:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        install = ["apt-get", "install", "-y", "-q", "--no-install-recommends", "nginx-light"]
        if subprocess.run(install, env=env, stdout=subprocess.DEVNULL).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL)
            subprocess.run(install, env=env, stdout=subprocess.DEVNULL, check=True)
    finally:
        if created:
            os.remove("/usr/sbin/policy-rc.d")


def make_ecdsa(work):
    key, cert = os.path.join(work, "ecdsa-key.pem"), os.path.join(work, "ecdsa-cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-days", "30", "-subj",
                    "/CN=node1.example.com", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    os.chmod(key, 0o644)  # a throw-away key; nginx and rapid read it
    return key, cert

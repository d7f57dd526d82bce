#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# secagent-oci-hook against a stand-in daemon on a SOCK_SEQPACKET socket: the request it sends
# for each stage, and that every failure (daemon gone, policy refused, bad state) is a non-zero
# exit with the reason on stderr, so that the runtime does not start the container.
import array
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading

HOOK = sys.argv[1]
failed = 0


def check(name, cond, detail=""):
    global failed
    print(("ok " if cond else "FAIL ") + name + ("" if cond else ": " + detail))
    if not cond:
        failed += 1


class FakeDaemon:
    """Answers one request with @reply and keeps the request."""

    def __init__(self, path, reply):
        self.request = None
        self.fds = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.sock.bind(path)
        self.sock.listen(1)
        self.thread = threading.Thread(target=self.serve, args=(reply,))
        self.thread.start()

    def serve(self, reply):
        conn, _ = self.sock.accept()
        msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(4 * array.array("i").itemsize))
        self.request = msg.decode()
        for level, kind, data in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds = array.array("i")
                fds.frombytes(data[:len(data) - len(data) % fds.itemsize])
                self.fds += list(fds)
        conn.send(reply.encode())
        conn.close()

    def close(self):
        self.thread.join(timeout=10)
        self.sock.close()


def run(stage, state, sock, reply=None):
    """Runs the hook; returns (exit code, stderr, request the daemon got)."""
    daemon = FakeDaemon(sock, reply) if reply is not None else None
    p = subprocess.run([HOOK, "--control-socket", sock, stage], input=state.encode(),
                       capture_output=True, timeout=30)
    request = None
    if daemon:
        if daemon.request is None:
            # The hook never connected: unblock accept() so the thread ends.
            c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
            c.connect(sock)
            c.close()
        daemon.close()
        request = daemon.request
        os.unlink(sock)
    global last_fds
    last_fds = daemon.fds if daemon else []
    return p.returncode, p.stderr.decode(), request


def own_cgroup():
    with open("/proc/self/cgroup") as f:
        for line in f:
            if line.startswith("0::"):
                return line[3:].strip()
    return None


with tempfile.TemporaryDirectory() as tmp:
    sock = os.path.join(tmp, "control.sock")
    pid = os.getpid()
    cg = own_cgroup()
    annotated = json.dumps({"ociVersion": "1.0.2", "id": "c1", "status": "creating", "pid": pid,
                            "bundle": tmp, "annotations": {"io.secagent.policy": "web-a"}})
    rootfs = os.path.join(tmp, "rootfs")
    os.mkdir(rootfs)
    config = os.path.join(tmp, "config.json")
    with open(config, "w") as f:
        json.dump({"ociVersion": "1.0.2", "root": {"path": "rootfs"}}, f)

    rc, err, req = run("createRuntime", annotated, sock, "ok\ncontainer c1 bound\n")
    check("createRuntime binds the annotated policy to the container's cgroup",
          rc == 0 and req == "container-bind c1 web-a " + str(cg), f"rc={rc} req={req!r} err={err!r}")
    sent = [os.fstat(fd) for fd in last_fds]
    want = os.stat(rootfs)
    runtime = os.stat(f"/proc/{pid}/exe")
    check("with its cgroup namespace, its root (root.path, as /proc/PID/root sees it) and the "
          "program its process runs (the runtime's, /proc/PID/exe)",
          len(sent) == 3 and os.stat("/proc/self/ns/cgroup").st_ino == sent[0].st_ino and
          (sent[1].st_dev, sent[1].st_ino) == (want.st_dev, want.st_ino) and
          (sent[2].st_dev, sent[2].st_ino) == (runtime.st_dev, runtime.st_ino), f"sent={sent!r}")
    for fd in last_fds:
        os.close(fd)

    for name, conf, message in [
            ("without root.path", {"ociVersion": "1.0.2"}, "has no root.path"),
            ("with a root.path that does not exist", {"root": {"path": "/nonexistent/rootfs"}},
             "cannot open the container's root")]:
        with open(config, "w") as f:
            json.dump(conf, f)
        rc, err, req = run("createRuntime", annotated, sock, "ok\n")
        check("a config.json " + name + ": the container does not start",
              rc == 1 and message in err and not req, f"rc={rc} err={err!r}")
    with open(config, "w") as f:
        json.dump({"ociVersion": "1.0.2", "root": {"path": rootfs}}, f)

    rc, err, req = run("prestart", annotated, sock, "ok\n")
    check("prestart is the same request", rc == 0 and req == "container-bind c1 web-a " + str(cg),
          f"rc={rc} req={req!r}")

    rc, err, req = run("createRuntime", annotated, sock,
                       "error\nno policy named 'web-a' in the active set (generation 3)")
    check("a refused binding fails the hook and says why",
          rc == 1 and "container c1" in err and "no policy named 'web-a'" in err,
          f"rc={rc} err={err!r}")

    rc, err, req = run("createRuntime", annotated, sock)
    check("an unreachable daemon fails the hook (fail closed)",
          rc == 1 and "not reachable" in err and "refusing to start" in err, f"rc={rc} err={err!r}")

    plain = json.dumps({"ociVersion": "1.0.2", "id": "c2", "pid": pid, "bundle": tmp})
    with open(config, "w") as f:
        json.dump({"ociVersion": "1.0.2", "annotations": {"other": "x"}}, f)
    rc, err, req = run("createRuntime", plain, sock)
    check("a container that asks for no policy starts, daemon or not", rc == 0 and err == "",
          f"rc={rc} err={err!r}")
    with open(config, "w") as f:
        json.dump({"ociVersion": "1.0.2"}, f)
    rc, err, req = run("createRuntime", plain, sock)
    check("a config.json without annotations asks for no policy", rc == 0 and err == "",
          f"rc={rc} err={err!r}")
    state_no_policy = json.dumps({"id": "c2", "pid": pid, "bundle": "/nonexistent",
                                  "annotations": {"other": "x"}})
    rc, err, req = run("createRuntime", state_no_policy, sock)
    check("state annotations without the policy are the answer (config.json is not read)",
          rc == 0 and err == "", f"rc={rc} err={err!r}")

    # When only config.json can say, and it cannot be read unambiguously: fail closed.
    def config_case(name, content, message, mode=None):
        if os.path.lexists(config):
            os.unlink(config)
        if content is not None:
            if isinstance(content, tuple):  # ("link", target)
                os.symlink(content[1], config)
            else:
                with open(config, "wb") as f:
                    f.write(content if isinstance(content, bytes) else content.encode())
        rc, err, req = run("createRuntime", plain, sock)
        check("config.json " + name + ": the container does not start",
              rc == 1 and message in err and "refusing to start" in err and req is None,
              f"rc={rc} err={err!r}")

    config_case("missing", None, "No such file or directory")
    config_case("not JSON", "{\"annotations\": ", "is not valid JSON")
    config_case("too large", b" " * (16 << 20) + b"{}", "larger than 16 MiB")
    config_case("with the annotation not a string",
                json.dumps({"annotations": {"io.secagent.policy": ["web-a"]}}),
                "that is not a string")
    config_case("with annotations not an object", json.dumps({"annotations": "web-a"}),
                "not an object")
    config_case("with \"annotations\" twice",
                '{"annotations": {"io.secagent.policy": "web-a"}, "annotations": {}}',
                "duplicate object key")
    config_case("with the annotation twice",
                '{"annotations": {"io.secagent.policy": "a", "io.secagent.policy": "b"}}',
                "duplicate object key")
    config_case("with \"Annotations\"",
                json.dumps({"Annotations": {"io.secagent.policy": "web-a"}}), "another case")
    other = os.path.join(tmp, "other.json")
    with open(other, "w") as f:
        json.dump({"annotations": {"io.secagent.policy": "web-a"}}, f)
    config_case("a symlink", ("link", other), "Too many levels of symbolic links")
    os.unlink(config)
    rc, err, req = run("createRuntime", json.dumps({"id": "c2", "pid": pid}), sock)
    check("a state with neither annotations nor a bundle: the container does not start",
          rc == 1 and "neither annotations nor a bundle" in err, f"rc={rc} err={err!r}")

    with open(config, "w") as f:
        json.dump({"ociVersion": "1.0.2", "annotations": {"io.secagent.policy": "web-b"},
                   "root": {"path": "rootfs"}}, f)
    rc, err, req = run("createRuntime", plain, sock, "ok\n")
    check("the annotation is read from the bundle's config.json when the state lacks it",
          rc == 0 and req == "container-bind c2 web-b " + str(cg), f"rc={rc} req={req!r}")

    rc, err, req = run("poststop", annotated, sock, "ok\nunbound\n")
    check("poststop unbinds by container id", rc == 0 and req == "container-unbind c1",
          f"rc={rc} req={req!r}")

    rc, err, req = run("poststop", annotated, sock)
    check("poststop with the daemon gone reports it", rc == 1 and "cannot unbind" in err,
          f"rc={rc} err={err!r}")

    bad = [("not json", "{\"id\": ", "not valid JSON"),
           ("no id", json.dumps({"pid": pid}), "has no id"),
           ("no pid", json.dumps({"id": "c3", "annotations": {"io.secagent.policy": "a"}}),
            "has no pid"),
           ("bad policy name",
            json.dumps({"id": "c4", "pid": pid, "annotations": {"io.secagent.policy": "A B"}}),
            "invalid policy name 'A B'"),
           ("annotation not a string",
            json.dumps({"id": "c5", "pid": pid, "annotations": {"io.secagent.policy": 7}}),
            "that is not a string"),
           ("annotations twice in the state",
            '{"id": "c6", "pid": %d, "annotations": {}, "annotations": '
            '{"io.secagent.policy": "a"}}' % pid, "duplicate object key"),
           ("an id that is not a container id",
            json.dumps({"id": "../../etc/x", "pid": pid,
                        "annotations": {"io.secagent.policy": "a"}}), "invalid id"),
           ("an id with a space (it would split the request)",
            json.dumps({"id": "a b", "pid": pid,
                        "annotations": {"io.secagent.policy": "a"}}), "invalid id")]
    for name, state, message in bad:
        rc, err, req = run("createRuntime", state, sock)
        check("refused: " + name, rc == 1 and message in err, f"rc={rc} err={err!r}")

    p = subprocess.run([HOOK, "start"], input=b"{}", capture_output=True)
    check("an unknown stage is a usage error", p.returncode == 2 and b"unknown stage" in p.stderr,
          repr(p.stderr))

print(f"{failed} failed")
sys.exit(1 if failed else 0)

"""Checks of the deployment files, since no container engine runs here.

Static checks (always): the compose file parses and wires every node to
the database, the balancer reaches every node, the Dockerfile's stages
fit together, and its runtime stage installs the one list of runtime
packages (deploy/runtime-packages.txt) that scripts/setup.sh installs too.

With --start-server EKYC_BINARY MODEL_DIR (root only): builds a root
filesystem from what the runtime stage would hold -- the files of the base
image's packages (Debian's essential and required ones, as in
debian:bookworm-slim) and of the packages the stage installs, with their
dependencies, as installed on this machine -- adds the binary and the
models as the Dockerfile copies them, and starts `ekyc serve` in it with
chroot. The server loads ONNX Runtime and Tesseract at start, so a runtime
stage that lacks one of them fails here.

Run: python3 deploy/check.py [--start-server EKYC_BINARY MODEL_DIR]
(needs PyYAML: Debian's python3-yaml)."""

import base64
import os
import pathlib
import re
import secrets
import select
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

here = pathlib.Path(__file__).parent
root = here.parent
PACKAGE_LIST = "runtime-packages.txt"
# Checking every model file and loading them takes a while on 2 cores.
START_TIMEOUT_SECS = 300


def read_package_list():
    lines = (here / PACKAGE_LIST).read_text().splitlines()
    return [l.strip() for l in lines if l.strip() and not l.strip().startswith("#")]


def dockerfile_instructions(text):
    """(INSTRUCTION, value) pairs, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):
            continue
        pending += " " + stripped
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        word, _, value = pending.strip().partition(" ")
        instructions.append((word.upper(), " ".join(value.split())))
        pending = ""
    return instructions


def check_compose(problems):
    compose = yaml.safe_load((here / "compose.yaml").read_text())
    services = compose["services"]
    nodes = [name for name, s in services.items() if s.get("image") == "ekyc:latest"]
    if len(nodes) < 2:
        problems.append("fewer than two ekyc nodes")
    for name in nodes:
        env = services[name]["environment"]
        for key in ("EKYC_DATABASE_URL", "EKYC_SIGNING_KEY", "EKYC_MASTER_KEY"):
            if key not in env:
                problems.append(f"{name} lacks {key}")
        if "@db:" not in env.get("EKYC_DATABASE_URL", ""):
            problems.append(f"{name} does not use the db service")
    nginx = (here / "nginx.conf").read_text()
    upstreams = set(re.findall(r"server (\w+):8080", nginx))
    if upstreams != set(nodes):
        problems.append(f"balancer upstreams {sorted(upstreams)} != nodes {sorted(nodes)}")
    if nginx.count("{") != nginx.count("}"):
        problems.append("nginx.conf braces do not balance")


def runtime_stage_packages(instructions, problems):
    """The packages the last stage installs, and checks that it takes them
    from the shared list."""
    last_from = max(i for i, (word, _) in enumerate(instructions) if word == "FROM")
    stage = instructions[last_from + 1 :]
    copies_list = any(
        word == "COPY" and f"deploy/{PACKAGE_LIST}" in value and "--from=" not in value
        for word, value in stage
    )
    installs = [value for word, value in stage if word == "RUN" and "apt-get install" in value]
    packages = set()
    if copies_list and any(PACKAGE_LIST in run for run in installs):
        packages.update(read_package_list())
    else:
        problems.append(f"the runtime stage does not install deploy/{PACKAGE_LIST}")
    for run in installs:
        for command in re.split(r"&&|;|\|", run):
            words = command.split()
            if "apt-get" in words and "install" in words:
                after = words[words.index("install") + 1 :]
                packages.update(w for w in after if not w.startswith("-") and "$" not in w)
    return sorted(packages)


def check_dockerfile(problems):
    instructions = dockerfile_instructions((here / "Dockerfile").read_text())
    stages = [v.split()[-1] for w, v in instructions if w == "FROM" and " AS " in v.upper()]
    for word, value in instructions:
        if word == "COPY" and "--from=" in value:
            source = re.search(r"--from=(\S+)", value).group(1)
            if source not in stages and source != "mirror":
                problems.append(f"COPY --from={source} names no stage or build context")
    if instructions[-1][0] != "CMD":
        problems.append("the image does not end with its command")
    setup = (root / "scripts" / "setup.sh").read_text()
    if PACKAGE_LIST not in setup:
        problems.append(f"scripts/setup.sh does not install deploy/{PACKAGE_LIST}")
    return runtime_stage_packages(instructions, problems)


def dpkg_query(fields, *packages):
    out = subprocess.run(
        ["dpkg-query", "-W", "-f", fields, *packages],
        capture_output=True,
        text=True,
    )
    return out.stdout


def installed():
    lines = dpkg_query("${Package}\t${Status}\t${Essential}\t${Priority}\n").splitlines()
    table = {}
    for line in lines:
        name, status, essential, priority = line.split("\t")
        if status.endswith("ok installed"):
            table[name] = (essential == "yes", priority)
    return table


def dependency_closure(wanted, packages, problems):
    """`wanted` with everything they depend on, as installed here."""
    seen, todo = set(), list(wanted)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        if name not in packages:
            problems.append(f"package {name} is not installed on this machine")
            continue
        seen.add(name)
        depends = dpkg_query("${Pre-Depends}, ${Depends}", name)
        for clause in filter(None, (c.strip() for c in depends.split(","))):
            choices = [re.sub(r"[ (:].*", "", alt.strip()) for alt in clause.split("|")]
            chosen = next((c for c in choices if c in packages), None)
            if chosen is None:
                provider = next((p for c in choices for p in providers(c, packages)), None)
                chosen = provider
            if chosen is None:
                problems.append(f"{name} needs {clause}, which is not installed here")
            else:
                todo.append(chosen)
    return seen


def providers(virtual, packages):
    lines = dpkg_query("${Package}\t${Provides}\n").splitlines()
    for line in lines:
        name, _, provides = line.partition("\t")
        names = [re.sub(r"[ (:].*", "", p.strip()) for p in provides.split(",")]
        if virtual in names and name in packages:
            yield name


def place(source, target):
    """A link of `source` at `target` (a copy across filesystems)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if os.path.islink(source):
        if not os.path.lexists(target):
            os.symlink(os.readlink(source), target)
    elif os.path.isfile(source) and not target.exists():
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)


def build_root(fs, packages):
    # Merged /usr, as on the host: /lib is usr/lib and so on.
    for top in ("bin", "sbin", "lib", "lib64"):
        if os.path.islink(f"/{top}"):
            target = os.readlink(f"/{top}")
            (fs / target.lstrip("/")).mkdir(parents=True, exist_ok=True)
            os.symlink(target, fs / top)
    for package in sorted(packages):
        listed = subprocess.run(["dpkg", "-L", package], capture_output=True, text=True)
        for path in listed.stdout.splitlines():
            if path.startswith("/") and not os.path.isdir(path):
                place(path, fs / path.lstrip("/"))


def start_server(binary, models, runtime_packages, problems):
    if os.geteuid() != 0:
        print("--start-server skipped: chroot needs root")
        return
    packages = installed()
    base = [name for name, (essential, priority) in packages.items() if essential or priority == "required"]
    unresolved = []
    closure = dependency_closure(base + runtime_packages, packages, unresolved)
    if unresolved:
        problems.extend(unresolved)
        return
    with tempfile.TemporaryDirectory(prefix="ekyc-runtime-") as scratch:
        fs = pathlib.Path(scratch)
        build_root(fs, closure)
        place(os.path.realpath(binary), fs / "usr/local/bin/ekyc")
        models = pathlib.Path(os.path.realpath(models))
        for file in models.rglob("*"):
            place(str(file), fs / "opt/ekyc/models" / file.relative_to(models))
        (fs / "var/lib/ekyc").mkdir(parents=True)
        (fs / "proc").mkdir(exist_ok=True)
        subprocess.run(["chroot", str(fs), "/sbin/ldconfig"], check=True)
        subprocess.run(["mount", "-t", "proc", "proc", str(fs / "proc")], check=True)
        try:
            run_server(fs, problems)
        finally:
            subprocess.run(["umount", "-l", str(fs / "proc")])


def run_server(fs, problems):
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "EKYC_DATA_DIR": "/var/lib/ekyc",
        "EKYC_MODEL_DIR": "/opt/ekyc/models",
        "EKYC_MASTER_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "EKYC_INFERENCE_WORKERS": "1",
        "RUST_LOG": "warn",
    }
    log = fs / "server.log"
    with open(log, "w") as stderr:
        server = subprocess.Popen(
            [shutil.which("chroot"), str(fs), "/usr/local/bin/ekyc", "serve", "--listen", "127.0.0.1:0"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        started = time.monotonic()
        ready, _, _ = select.select([server.stdout], [], [], START_TIMEOUT_SECS)
        first_line = server.stdout.readline() if ready else ""
        server.terminate()
        server.wait(timeout=60)
    if first_line.startswith("listening on"):
        print(f"the server starts on the runtime stage's packages ({time.monotonic() - started:.1f} s)")
    else:
        tail = log.read_text()[-2000:]
        problems.append(f"the server does not start on the runtime stage's packages:\n{tail}")


def main():
    problems = []
    check_compose(problems)
    runtime_packages = check_dockerfile(problems)
    if "--start-server" in sys.argv:
        binary, models = sys.argv[sys.argv.index("--start-server") + 1 :][:2]
        start_server(binary, models, runtime_packages, problems)
    print("\n".join(problems) or "deployment files: OK")
    sys.exit(1 if problems else 0)


main()

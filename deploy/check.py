"""Static checks of the deployment files, since no Docker engine runs
here: the compose file parses and wires every node to the database, the
balancer reaches every node, and the Dockerfile's stages fit together.
Run: python3 deploy/check.py (needs PyYAML and dockerfile-parse)."""

import pathlib
import re
import sys

import yaml
from dockerfile_parse import DockerfileParser

here = pathlib.Path(__file__).parent
problems = []

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

parser = DockerfileParser(path=str(here / "Dockerfile"))
stages = [i["value"].split()[-1] for i in parser.structure if i["instruction"] == "FROM" and " AS " in i["value"].upper()]
for i in parser.structure:
    if i["instruction"] == "COPY" and "--from=" in i["value"]:
        source = re.search(r"--from=(\S+)", i["value"]).group(1)
        if source not in stages and source != "mirror":
            problems.append(f"COPY --from={source} names no stage or build context")
if parser.structure[-1]["instruction"] != "CMD":
    problems.append("the image does not end with its command")

print("\n".join(problems) or "deployment files: OK")
sys.exit(1 if problems else 0)

#!/usr/bin/env bash
# Offline validation of the Kubernetes manifests and the Dockerfile:
# - every overlay renders with kustomize;
# - every core resource passes `kubernetes-validate --strict` (unknown fields
#   rejected) for the Kubernetes version we target;
# - every Argo Rollouts resource passes the Argo Rollouts CRD schemas;
# - the invariants no schema catches hold (invariants.py), and each of their
#   checks is shown to fail on a broken manifest (test_invariants.py);
# - the Dockerfile passes hadolint.
# Needs the tools of requirements.txt and `npm ci` in this directory.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=$(mktemp -d)
mkdir "$out/core"
trap 'rm -rf "$out"' EXIT

for overlay in "$here"/../overlays/*/; do
    name=$(basename "$overlay")
    kubectl kustomize "$overlay" > "$out/$name.yaml"
    python3 - "$out/$name.yaml" "$out/core/$name.yaml" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
core = [d for d in docs if not d["apiVersion"].startswith("argoproj.io/")]
yaml.safe_dump_all(core, open(sys.argv[2], "w"))
PY
    kubernetes-validate --strict --quiet --kubernetes-version 1.37.0 "$out/core/$name.yaml"
    echo "k8s: $name renders and validates"
done

node "$here/argo-validate.mjs" "$out"/*.yaml
python3 "$here/invariants.py" "$out"/*.yaml
(cd "$here" && python3 -m unittest -q test_invariants)
hadolint --failure-threshold warning "$root/Dockerfile"
echo "k8s: all manifests valid"

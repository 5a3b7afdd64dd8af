"""Checks on rendered manifests that no schema catches.

Each check takes the documents of one rendered overlay and returns the
violations it finds, as sentences naming the resource. `validate.sh` runs
them on every overlay; `test_invariants.py` shows each one failing.
"""

from __future__ import annotations

import sys
from typing import Any, Iterable

import yaml

Doc = dict[str, Any]
ENGINE = "engine"
WORKLOAD_KINDS = ("Deployment", "Rollout")


def load(text: str) -> list[Doc]:
    return [d for d in yaml.safe_load_all(text) if d]


def find(docs: Iterable[Doc], kind: str, name: str | None = None) -> list[Doc]:
    return [
        d
        for d in docs
        if d.get("kind") == kind and (name is None or d["metadata"]["name"] == name)
    ]


def pod_spec(docs: list[Doc]) -> Doc | None:
    """The engine's pod spec (a Rollout with workloadRef uses the Deployment's)."""
    for d in find(docs, "Deployment"):
        spec = d["spec"]["template"]["spec"]
        if any(c["name"] == ENGINE for c in spec.get("containers", [])):
            return spec
    return None


def engine_container(docs: list[Doc]) -> Doc | None:
    spec = pod_spec(docs)
    if spec is None:
        return None
    return next(c for c in spec["containers"] if c["name"] == ENGINE)


def config_value(docs: list[Doc], key: str) -> str | None:
    for cm in find(docs, "ConfigMap"):
        if key in cm.get("data", {}):
            return cm["data"][key]
    return None


def running_replicas(docs: list[Doc]) -> int | None:
    """Replicas of whichever workload actually runs the pods."""
    counts = [
        d["spec"].get("replicas", 1)
        for d in docs
        if d.get("kind") in WORKLOAD_KINDS and d["spec"].get("replicas", 1) > 0
    ]
    return max(counts) if counts else None


def check_engine_present(docs: list[Doc]) -> list[str]:
    if engine_container(docs) is None:
        return ["no Deployment runs the engine container"]
    if running_replicas(docs) is None:
        return ["no workload runs any engine pod"]
    return []


def check_grace_period(docs: list[Doc]) -> list[str]:
    """The grace period must outlast preStop plus the engine's own drain."""
    spec, container = pod_spec(docs), engine_container(docs)
    if spec is None or container is None:
        return []
    grace = spec.get("terminationGracePeriodSeconds", 30)
    pre_stop = (
        container.get("lifecycle", {}).get("preStop", {}).get("sleep", {}).get("seconds", 0)
    )
    drain = config_value(docs, "SHUTDOWN_GRACE_SECONDS")
    if drain is None:
        return ["SHUTDOWN_GRACE_SECONDS is not configured"]
    needed = pre_stop + int(drain)
    if grace <= needed:
        return [
            f"terminationGracePeriodSeconds {grace} does not outlast "
            f"preStop {pre_stop} s + drain {drain} s"
        ]
    return []


def check_probes(docs: list[Doc]) -> list[str]:
    container = engine_container(docs)
    if container is None:
        return []
    paths = {}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        http = container.get(probe, {}).get("httpGet")
        if http is None:
            return [f"the engine has no HTTP {probe}"]
        paths[probe] = http["path"]
    if len(set(paths.values())) != len(paths):
        return [f"probes share an endpoint: {paths}"]
    return []


def check_disruption_budget(docs: list[Doc]) -> list[str]:
    """A budget at or above the replica count blocks every node drain."""
    replicas = running_replicas(docs)
    floors = [replicas] if replicas else []
    floors += [h["spec"].get("minReplicas", 1) for h in find(docs, "HorizontalPodAutoscaler")]
    if not floors:
        return []
    lowest = min(floors)
    problems = []
    for pdb in find(docs, "PodDisruptionBudget"):
        spec, name = pdb["spec"], pdb["metadata"]["name"]
        if "minAvailable" in spec and int(spec["minAvailable"]) >= lowest:
            problems.append(f"PDB {name} minAvailable {spec['minAvailable']} >= {lowest} replicas")
        if "maxUnavailable" in spec and int(spec["maxUnavailable"]) < 1:
            problems.append(f"PDB {name} maxUnavailable {spec['maxUnavailable']} allows no drain")
        if "maxUnavailable" in spec and int(spec["maxUnavailable"]) >= lowest:
            problems.append(f"PDB {name} lets every one of {lowest} replicas go at once")
    return problems


def check_no_unavailability_on_update(docs: list[Doc]) -> list[str]:
    problems = []
    for d in find(docs, "Deployment"):
        if d["spec"].get("replicas", 1) == 0:
            continue
        rolling = d["spec"].get("strategy", {}).get("rollingUpdate", {})
        if rolling.get("maxUnavailable", "25%") not in (0, "0", "0%"):
            problems.append(f"Deployment {d['metadata']['name']} may drop ready pods on update")
    for r in find(docs, "Rollout"):
        canary = r["spec"]["strategy"].get("canary")
        if canary is not None and canary.get("maxUnavailable", "25%") not in (0, "0", "0%"):
            problems.append(f"Rollout {r['metadata']['name']} may drop ready pods on update")
    return problems


def check_autoscaler_target(docs: list[Doc]) -> list[str]:
    problems = []
    for h in find(docs, "HorizontalPodAutoscaler"):
        ref = h["spec"]["scaleTargetRef"]
        targets = [
            d
            for d in find(docs, ref["kind"], ref["name"])
            if d.get("apiVersion") == ref["apiVersion"]
        ]
        if not targets:
            problems.append(f"HPA {h['metadata']['name']} targets a missing {ref['kind']}")
        elif targets[0]["spec"].get("replicas", 1) == 0:
            problems.append(f"HPA {h['metadata']['name']} scales a {ref['kind']} that runs no pods")
    return problems


def check_services_reach_pods(docs: list[Doc]) -> list[str]:
    spec = pod_spec(docs)
    if spec is None:
        return []
    deployment = next(d for d in find(docs, "Deployment"))
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    ports = {p["name"] for c in spec["containers"] for p in c.get("ports", [])}
    problems = []
    for s in find(docs, "Service"):
        name, selector = s["metadata"]["name"], s["spec"].get("selector", {})
        if any(labels.get(k) != v for k, v in selector.items()):
            problems.append(f"Service {name} selects no engine pod")
        for p in s["spec"]["ports"]:
            if isinstance(p.get("targetPort"), str) and p["targetPort"] not in ports:
                problems.append(f"Service {name} targets unknown port {p['targetPort']}")
    return problems


def check_analysis_wiring(docs: list[Doc]) -> list[str]:
    templates = {t["metadata"]["name"]: t for t in find(docs, "AnalysisTemplate")}
    problems = []
    for r in find(docs, "Rollout"):
        strategy = r["spec"]["strategy"]
        analyses = []
        if "canary" in strategy:
            analyses.append(strategy["canary"].get("analysis"))
            if not any("setWeight" in step for step in strategy["canary"].get("steps", [])):
                problems.append("the canary has no traffic steps")
        if "blueGreen" in strategy:
            bg = strategy["blueGreen"]
            analyses += [bg.get("prePromotionAnalysis"), bg.get("postPromotionAnalysis")]
        for analysis in analyses:
            if analysis is None:
                problems.append(f"Rollout {r['metadata']['name']} runs a step without analysis")
                continue
            given = {a["name"] for a in analysis.get("args", [])}
            for ref in analysis["templates"]:
                template = templates.get(ref["templateName"])
                if template is None:
                    problems.append(f"AnalysisTemplate {ref['templateName']} is missing")
                    continue
                needed = {a["name"] for a in template["spec"].get("args", []) if "value" not in a}
                if needed - given:
                    problems.append(
                        f"Rollout {r['metadata']['name']} leaves {sorted(needed - given)} unset"
                    )
    return problems


def check_images_pinned(docs: list[Doc]) -> list[str]:
    problems = []
    for d in docs:
        template = d.get("spec", {}).get("template", {}).get("spec", {})
        for c in template.get("containers", []):
            image = c.get("image", "")
            if ":" not in image.rsplit("/", 1)[-1] or image.endswith(":latest"):
                problems.append(f"{d['kind']} {d['metadata']['name']} runs unpinned image {image}")
    return problems


CHECKS = [
    check_engine_present,
    check_grace_period,
    check_probes,
    check_disruption_budget,
    check_no_unavailability_on_update,
    check_autoscaler_target,
    check_services_reach_pods,
    check_analysis_wiring,
    check_images_pinned,
]


def violations(docs: list[Doc]) -> list[str]:
    return [problem for check in CHECKS for problem in check(docs)]


def main(paths: list[str]) -> int:
    failed = False
    for path in paths:
        with open(path, encoding="utf-8") as f:
            found = violations(load(f.read()))
        for problem in found:
            print(f"{path}: {problem}", file=sys.stderr)
        failed |= bool(found)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

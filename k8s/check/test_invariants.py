"""Each invariant holds on every overlay, and each check catches the mistake
it exists for. Run with `python3 -m unittest` from this directory; needs
`kubectl` (for its built-in kustomize) on the PATH."""

from __future__ import annotations

import copy
import pathlib
import subprocess
import unittest

import invariants as inv

OVERLAYS = pathlib.Path(__file__).resolve().parent.parent / "overlays"


def render(overlay: str) -> list[inv.Doc]:
    out = subprocess.run(
        ["kubectl", "kustomize", str(OVERLAYS / overlay)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return inv.load(out)


def engine(docs: list[inv.Doc]) -> inv.Doc:
    container = inv.engine_container(docs)
    assert container is not None
    return container


class EveryOverlayHolds(unittest.TestCase):
    def test_no_violations(self) -> None:
        overlays = sorted(p.name for p in OVERLAYS.iterdir() if p.is_dir())
        self.assertEqual(overlays, ["blue-green", "canary", "rolling"])
        for overlay in overlays:
            with self.subTest(overlay=overlay):
                self.assertEqual(inv.violations(render(overlay)), [])


class EachCheckCatchesItsMistake(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.rolling = render("rolling")
        cls.canary = render("canary")
        cls.blue_green = render("blue-green")

    def broken(self, docs: list[inv.Doc]) -> list[inv.Doc]:
        return copy.deepcopy(docs)

    def assertCaught(self, docs: list[inv.Doc], words: str) -> None:
        found = inv.violations(docs)
        self.assertTrue(any(words in v for v in found), f"{words!r} not in {found}")

    def test_grace_period_shorter_than_pre_stop_plus_drain(self) -> None:
        docs = self.broken(self.rolling)
        inv.pod_spec(docs)["terminationGracePeriodSeconds"] = 40
        self.assertCaught(docs, "does not outlast preStop 10 s + drain 30 s")

    def test_drain_longer_than_grace_period(self) -> None:
        docs = self.broken(self.rolling)
        inv.find(docs, "ConfigMap", "foodiefast")[0]["data"]["SHUTDOWN_GRACE_SECONDS"] = "55"
        self.assertCaught(docs, "does not outlast")

    def test_readiness_on_the_liveness_endpoint(self) -> None:
        docs = self.broken(self.rolling)
        engine(docs)["readinessProbe"]["httpGet"]["path"] = "/healthz"
        self.assertCaught(docs, "probes share an endpoint")

    def test_missing_startup_probe(self) -> None:
        docs = self.broken(self.rolling)
        del engine(docs)["startupProbe"]
        self.assertCaught(docs, "no HTTP startupProbe")

    def test_budget_at_the_replica_count(self) -> None:
        docs = self.broken(self.rolling)
        pdb = inv.find(docs, "PodDisruptionBudget")[0]["spec"]
        del pdb["maxUnavailable"]
        pdb["minAvailable"] = 3
        self.assertCaught(docs, "minAvailable 3 >= 3 replicas")

    def test_budget_allowing_no_drain(self) -> None:
        docs = self.broken(self.rolling)
        inv.find(docs, "PodDisruptionBudget")[0]["spec"]["maxUnavailable"] = 0
        self.assertCaught(docs, "allows no drain")

    def test_rolling_update_dropping_pods(self) -> None:
        docs = self.broken(self.rolling)
        strategy = inv.find(docs, "Deployment")[0]["spec"]["strategy"]
        strategy["rollingUpdate"]["maxUnavailable"] = 1
        self.assertCaught(docs, "may drop ready pods")

    def test_canary_dropping_pods(self) -> None:
        docs = self.broken(self.canary)
        inv.find(docs, "Rollout")[0]["spec"]["strategy"]["canary"]["maxUnavailable"] = "25%"
        self.assertCaught(docs, "may drop ready pods")

    def test_autoscaler_left_on_the_emptied_deployment(self) -> None:
        docs = self.broken(self.canary)
        hpa = inv.find(docs, "HorizontalPodAutoscaler")[0]["spec"]
        hpa["scaleTargetRef"] = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "foodiefast"}
        self.assertCaught(docs, "runs no pods")

    def test_service_selecting_nothing(self) -> None:
        docs = self.broken(self.rolling)
        inv.find(docs, "Service", "foodiefast")[0]["spec"]["selector"]["app.kubernetes.io/component"] = "web"
        self.assertCaught(docs, "selects no engine pod")

    def test_service_targeting_an_unknown_port(self) -> None:
        docs = self.broken(self.rolling)
        inv.find(docs, "Service", "foodiefast-headless")[0]["spec"]["ports"][0]["targetPort"] = "gossip"
        self.assertCaught(docs, "unknown port gossip")

    def test_canary_without_analysis(self) -> None:
        docs = self.broken(self.canary)
        del inv.find(docs, "Rollout")[0]["spec"]["strategy"]["canary"]["analysis"]
        self.assertCaught(docs, "without analysis")

    def test_blue_green_missing_an_argument(self) -> None:
        docs = self.broken(self.blue_green)
        bg = inv.find(docs, "Rollout")[0]["spec"]["strategy"]["blueGreen"]
        bg["postPromotionAnalysis"]["args"] = bg["postPromotionAnalysis"]["args"][:1]
        self.assertCaught(docs, "leaves ['stable-hash'] unset")

    def test_missing_analysis_template(self) -> None:
        docs = [d for d in self.broken(self.blue_green) if d["kind"] != "AnalysisTemplate"]
        self.assertCaught(docs, "AnalysisTemplate foodiefast-health is missing")

    def test_unpinned_image(self) -> None:
        docs = self.broken(self.rolling)
        engine(docs)["image"] = "ghcr.io/foodiefast/foodiefast:latest"
        self.assertCaught(docs, "unpinned image")


if __name__ == "__main__":
    unittest.main()

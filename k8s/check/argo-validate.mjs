// Validates every Argo Rollouts resource in the rendered manifests given as
// arguments against the schemas of the Argo Rollouts CRDs (compiled into
// @kubernetes-models/argo-rollouts, pinned in package-lock.json). Exits
// non-zero on the first file with an invalid resource, naming the field.
import { readFileSync } from "node:fs";
import yaml from "js-yaml";
import * as argo from "@kubernetes-models/argo-rollouts/argoproj.io/v1alpha1";

let failed = false;
let checked = 0;
for (const path of process.argv.slice(2)) {
  for (const doc of yaml.loadAll(readFileSync(path, "utf8"))) {
    if (!doc || !String(doc.apiVersion).startsWith("argoproj.io/")) continue;
    const Model = argo[doc.kind];
    const name = `${path}: ${doc.kind} ${doc.metadata?.name}`;
    if (!Model || doc.apiVersion !== Model.apiVersion) {
      console.error(`${name}: no schema for ${doc.apiVersion} ${doc.kind}`);
      failed = true;
      continue;
    }
    try {
      new Model(doc).validate();
      checked += 1;
    } catch (err) {
      console.error(`${name}: ${err.message}`);
      failed = true;
    }
  }
}
console.log(`${checked} Argo Rollouts resources valid`);
process.exit(failed ? 1 : 0);

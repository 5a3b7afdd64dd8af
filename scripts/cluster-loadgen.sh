#!/usr/bin/env bash
# Load-tests a cluster of N engine processes on this machine:
#   scripts/cluster-loadgen.sh NODES [loadgen options...]
# creates a fresh PostgreSQL database (on $POSTGRES, by default the local
# server), starts NODES `foodiefast serve` nodes of one cluster on loopback,
# runs `foodiefast loadgen` against all of their gateways (couriers' and
# trackers' connections spread over the nodes), then stops the nodes and
# drops the database. The zone resolution (ZONE_H3_RESOLUTION, default 0
# here: the whole city one zone, run by one node) decides how much of the
# traffic crosses between nodes: with one zone, every courier position that
# reaches a gateway other than the zone owner's is a call across the cluster,
# and every tracking update goes back across it.
set -euo pipefail

nodes=${1:?usage: $0 NODES [loadgen options...]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/target/release/foodiefast"
postgres=${POSTGRES:-postgres://postgres@127.0.0.1:5432}
db="ff_bench_$$"
psql "$postgres/postgres" -qc "CREATE DATABASE $db"
pids=()
logs=$(mktemp -d)
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    # The nodes' warnings and errors, for the record.
    grep -h '"level":"\(WARN\|ERROR\)"' "$logs"/*.log >&2 || true
    psql "$postgres/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    rm -rf "$logs"
}
trap cleanup EXIT

DATABASE_URL="$postgres/$db" "$bin" migrate >/dev/null
urls=()
peers=""
for i in $(seq 0 $((nodes - 1))); do
    peers="$peers,127.0.0.1:$((47000 + i))"
done
for i in $(seq 0 $((nodes - 1))); do
    DATABASE_URL="$postgres/$db" JWT_SECRET=a-benchmark-secret-of-thirty-two-bytes \
    PORT=$((48000 + i)) BIND_ADDR=127.0.0.1 LOG_FORMAT=json RUST_LOG=warn \
    WS_MESSAGES_PER_SECOND=100 \
    CLUSTER_PORT=$((47000 + i)) CLUSTER_NODE="node-$i" CLUSTER_ADVERTISE="127.0.0.1:$((47000 + i))" \
    CLUSTER_PEERS="${peers#,}" CLUSTER_COOKIE=a-benchmark-cluster-cookie \
    ZONE_H3_RESOLUTION=${ZONE_H3_RESOLUTION:-0} \
        "$bin" serve >"$logs/node-$i.log" 2>&1 &
    pids+=($!)
    urls+=("http://127.0.0.1:$((48000 + i))")
done
for url in "${urls[@]}"; do
    until curl -sf "$url/readyz" >/dev/null; do sleep 0.2; done
done
list=$(IFS=,; echo "${urls[*]}")
"$bin" loadgen --url "$list" "$@"

#!/usr/bin/env bash
# The portal over HTTP (run by ./dev bench, after the others): wrk against the demo node while
# its simulated callers run, logged in as the demo admin. Prints requests/s and latency for a
# static file of the portal and the JSON reads its screens make. wrk shares the machine's cores
# with the node, its callers and its carriers.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/default/actors/ivrcast
port=${PORTAL_BENCH_PORT:-18080}
seconds=${PORTAL_BENCH_SECONDS:-10}
base=http://127.0.0.1:$port
work=$(mktemp -d)
IVRCAST_HTTP_LISTEN=127.0.0.1:$port IVRCAST_NODE_DATA_DIR=$work/data \
  "$bin" demo --config config/ivrcast.example.conf > "$work/demo.log" 2>&1 &
demo=$!
trap 'kill $demo 2>/dev/null; wait $demo 2>/dev/null; rm -rf "$work"' EXIT

deadline=$((SECONDS + 120))
until curl -sf "$base/v1/health" > /dev/null; do
  [[ $SECONDS -lt $deadline ]] || { tail -20 "$work/demo.log"; echo "portal bench: no API" >&2; exit 1; }
  sleep 0.2
done
curl -sf -c "$work/cookies" -H 'Content-Type: application/json' \
  -d '{"email":"admin@demo.example","password":"Demo#Portal2026"}' "$base/v1/session" > /dev/null
session=$(awk '$6 == "ivrcast_session" {print $7}' "$work/cookies")
csrf=$(awk '$6 == "ivrcast_csrf" {print $7}' "$work/cookies")
cookie="Cookie: ivrcast_session=$session; ivrcast_csrf=$csrf"
curl -sf -H "$cookie" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' \
  -d '{"account_id":"acc-demo"}' "$base/v1/session/account" > /dev/null

# Let the callers fill the delivery log the search reads.
today=$(TZ=Asia/Tokyo date +%F)
tomorrow=$(TZ=Asia/Tokyo date -d tomorrow +%F)
rows=0
until [[ $rows -ge 100 ]]; do
  rows=$(curl -sf -H "$cookie" "$base/v1/delivery-log?from=$today&to=$tomorrow&limit=100" |
         { grep -o '"message_id"' || true; } | wc -l)
  [[ $SECONDS -lt $deadline ]] || { echo "portal bench: the log stayed under 100 rows" >&2; exit 1; }
done

echo "portal bench: $(nproc) cores, wrk 2 threads, 16 connections, ${seconds}s per path"
for path in /main.js /v1/session /v1/numbers "/v1/delivery-log?from=$today&to=$tomorrow&limit=100"; do
  out=$(wrk -t2 -c16 -d"${seconds}s" --latency -H "$cookie" "$base$path")
  rps=$(awk '/Requests\/sec/ {print $2}' <<< "$out")
  p50=$(awk '$1 == "50%" {print $2}' <<< "$out")
  p99=$(awk '$1 == "99%" {print $2}' <<< "$out")
  errors=$(awk '/Non-2xx/ {print $5}' <<< "$out")
  echo "RESULT path=${path%%\?*} requests_per_s=$rps p50=$p50 p99=$p99 non_2xx=${errors:-0}"
done

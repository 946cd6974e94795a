#!/usr/bin/env bash
# What an operator deploys, checked by the tools that consume it (ctest: deploy.check):
#  - `cmake --install` lays out binary, portal, config and data where the defaults point;
#  - the systemd units pass `systemd-analyze verify` (the installed binary, real keys);
#  - the compose file passes `docker-compose config`;
#  - the Kubernetes manifests match the API's types (k8s_schema.py).
# Each checker is also shown a broken input it must refuse, so a checker that accepts
# everything fails this test.  Usage: check_deploy.sh <build dir>
set -euo pipefail
src="$(cd "$(dirname "$0")/../.." && pwd)"
build="$(cd "$1" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "check_deploy: $*" >&2; exit 1; }
refuses() { if "$@" > "$work/refused.log" 2>&1; then fail "accepted a broken input: $*"; fi; }

# -- install layout --------------------------------------------------------------------------
stage="$work/stage"
DESTDIR="$stage" cmake --install "$build" > "$work/install.log"
prefix="$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")"
bin="$stage$prefix/bin/ivrcast"
[[ -x "$bin" ]] || fail "no installed binary at $prefix/bin/ivrcast"
[[ -f "$stage$prefix/share/ivrcast/portal/index.html" ]] || fail "no installed portal"
# Every default path of the installed binary exists in the installed tree, and none is relative.
"$bin" config-reference > "$work/reference.md"
checked=0
while read -r key value; do
  [[ "$value" == /* ]] || fail "$key defaults to a relative path: $value"
  case "$value" in
    */var/lib/*) ;;  # made at run time (StateDirectory, volumes)
    *) [[ -e "$stage$value" ]] || fail "$key defaults to $value, which is not installed"; checked=$((checked + 1)) ;;
  esac
done < <(sed -n 's/^| `\([a-z_.]*\(dir\|root\|templates\|ranges\|ported\)\)` | `\([^`]*\)`.*/\1 \3/p' \
           "$work/reference.md")
[[ $checked -ge 4 ]] || fail "only $checked default paths found in the reference"
conf="$(find "$stage" -path '*/etc/ivrcast/ivrcast.conf' | head -1)"
[[ -n "$conf" ]] || fail "no installed ivrcast.conf"

# -- systemd ---------------------------------------------------------------------------------
units=("$stage$prefix"/lib/systemd/system/*.service)
[[ ${#units[@]} -eq 2 ]] || fail "expected 2 systemd units, found ${#units[@]}"
for u in "${units[@]}"; do
  # Verified with the paths pointing into the staged tree (the binary must exist).
  sed "s|$prefix/|$stage$prefix/|g; s|/etc/ivrcast/|$(dirname "$conf")/|g" "$u" > "$work/$(basename "$u")"
  systemd-analyze verify "$work/$(basename "$u")" || fail "systemd-analyze verify $(basename "$u")"
done
printf '[Service]\nExecStart=/nonexistent/ivrcast run\n' > "$work/broken.service"
refuses systemd-analyze verify "$work/broken.service"

# -- docker compose --------------------------------------------------------------------------
compose="$src/deploy/compose/docker-compose.yml"
IVRCAST_HTTP_ADMIN_TOKEN=check docker-compose -f "$compose" config -q || fail "docker-compose config"
services="$(IVRCAST_HTTP_ADMIN_TOKEN=check docker-compose -f "$compose" config --services | sort | tr '\n' ' ')"
[[ "$services" == "gateway kafka-1 kafka-2 kafka-3 node-1 node-2 node-3 " ]] ||
  fail "compose services: $services"
sed 's/^    restart: unless-stopped/    restrat: unless-stopped/' "$compose" > "$work/broken-compose.yml"
IVRCAST_HTTP_ADMIN_TOKEN=check refuses docker-compose -f "$work/broken-compose.yml" config -q

# -- docker image ----------------------------------------------------------------------------
# No daemon here to build the image, so its runtime stage is checked against the binary: every
# library the binary needs belongs to a package that stage installs or Debian's base image holds
# (what apt and dpkg need), else the image would not start.
dockerfile="$src/deploy/docker/Dockerfile"
[[ -f "$dockerfile" ]] || fail "no Dockerfile"
# Each library the binary needs, with the package that holds it ("<lib> <package>" lines).
needed="$(for lib in $(readelf -d "$bin" | sed -nE 's/.*\(NEEDED\).*\[(.*)\]/\1/p'); do
            echo "$lib $(dpkg -S "*/$lib" 2>/dev/null | head -1 | cut -d: -f1)"
          done)"
image_has_libraries() {
  local base="libc6 libgcc-s1 libstdc++6 zlib1g libzstd1 libbz2-1.0 liblz4-1" listed lib pkg
  listed=" $(sed -n '/^FROM debian:12$/,$p' "$1" | tr -s ' \\\t\n' ' ') $base "
  while read -r lib pkg; do
    [[ -n "$pkg" ]] || { echo "no package holds $lib" >&2; return 1; }
    [[ "$listed" == *" $pkg "* ]] || { echo "$1: the runtime stage lacks $pkg ($lib)" >&2; return 1; }
  done <<< "$needed"
}
image_has_libraries "$dockerfile" || fail "Dockerfile: see above"
libraries="$(wc -l <<< "$needed") libraries"
sed 's/ libjemalloc2 / /' "$dockerfile" > "$work/broken.Dockerfile"
refuses image_has_libraries "$work/broken.Dockerfile"

# -- kubernetes ------------------------------------------------------------------------------
/usr/bin/python3 "$src/tests/deploy/k8s_schema.py" "$src"/deploy/kubernetes/*.yaml
sed 's/^  replicas: 3/  replica: 3/' "$src/deploy/kubernetes/ivrcast.yaml" > "$work/broken-k8s.yaml"
refuses /usr/bin/python3 "$src/tests/deploy/k8s_schema.py" "$work/broken-k8s.yaml"
grep -q "kind: PodDisruptionBudget" "$src"/deploy/kubernetes/*.yaml || fail "no PodDisruptionBudget"
grep -q "readinessProbe:" "$src"/deploy/kubernetes/*.yaml || fail "no readiness probe"
grep -q "volumeClaimTemplates:" "$src"/deploy/kubernetes/*.yaml || fail "no volume per node"

echo "check_deploy: install layout ($checked default paths), 2 systemd units, compose," \
     "the image's runtime libraries ($libraries), kubernetes: ok"

#!/usr/bin/env bash
# The command line as an operator meets it: --version, every command's --help exiting 0, bad
# options and numbers refused with a message that names them.
# Usage: tests/cli/check_cli.sh BUILD_DIR
set -uo pipefail
bin="$1/actors/ivrcast"
failures=0
expect() {  # expect <exit: 0|nonzero> <text the output must contain> -- args...
  local want=$1 text=$2
  shift 3
  local out rc
  out=$("$bin" "$@" 2>&1)
  rc=$?
  if [[ $want == 0 && $rc != 0 ]] || [[ $want != 0 && $rc == 0 ]] || [[ $out != *"$text"* ]]; then
    echo "FAIL: ivrcast $* -> exit $rc, wanted $want and '$text' in:" >&2
    echo "$out" | head -5 >&2
    failures=$((failures + 1))
  fi
}
version=$(sed -nE 's/^project\(ivrcast VERSION ([0-9.]+).*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")
expect 0 "ivrcast $version" -- --version
for cmd in run gateway demo sim publish-flows publish-carriers export-log admin \
           config-reference deadletters "deadletters list" "deadletters replay"; do
  # shellcheck disable=SC2086
  expect 0 "Usage:" -- $cmd --help
done
expect nonzero "--rate" -- sim --rate -3
expect nonzero "--calls" -- demo --calls abc
expect nonzero "--seconds" -- run --seconds soon
expect nonzero "--limit" -- deadletters list --limit 0
expect nonzero "--offset" -- deadletters replay --offset 3
expect nonzero "--all" -- deadletters replay
expect nonzero "--encoding" -- export-log --from 2026-12-01 --to 2026-12-02 --out x --encoding latin1
expect nonzero "--config" -- run --config /nonexistent/ivrcast.conf
expect nonzero "--no-such-option" -- run --no-such-option
expect nonzero "subcommand" --
expect nonzero "request" -- admin GET
if [[ $failures -gt 0 ]]; then
  echo "$failures command-line checks failed" >&2
  exit 1
fi
echo "command line: every check passed"

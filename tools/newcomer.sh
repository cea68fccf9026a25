#!/usr/bin/env bash
# `make newcomer`: what a new developer lives through. Clones this repository (its committed
# HEAD) into a temporary folder, with the project's own caches empty (the Kafka jars: a cache
# folder of its own; pip's and Maven's caches are left as they are), then runs the README's
# two commands, `make demo` and `make test`, and prints how long each took.
#
#   tools/newcomer.sh            # a temporary clone, removed at the end
#   KEEP=1 tools/newcomer.sh     # keep it (its path is printed)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d -t concerto-newcomer-XXXXXX)"
cleanup() { if [ -z "${KEEP:-}" ]; then rm -rf "$work"; else echo "kept: $work"; fi; }
trap cleanup EXIT

git clone --quiet "$root" "$work/concerto"
cd "$work/concerto"
# The project's cache, empty: the broker's jars are fetched again from Maven Central.
export KAFKA_CACHE_DIR="$work/cache/kafka"

elapsed() { local start=$1; echo $(( $(date +%s) - start )); }

start=$(date +%s)
make demo
demo_s=$(elapsed "$start")

start=$(date +%s)
make test
test_s=$(elapsed "$start")

printf '\nnewcomer: make demo %d min %02d s (cold: venv and Kafka jars installed), make test %d min %02d s\n' \
  $((demo_s / 60)) $((demo_s % 60)) $((test_s / 60)) $((test_s % 60))

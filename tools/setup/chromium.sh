#!/usr/bin/env bash
# Debian's Chromium, which the browser tests and the demo's report screenshot drive headless.
# `make test` and `make demo` call this: it does nothing when Chromium is there, installs it with
# apt-get when it can (root, or password-less sudo), and otherwise stops at once with the command
# to run. Browser builds cannot be downloaded on these machines (no `playwright install`): the
# distribution's package is the one that installs everywhere the project runs.
set -euo pipefail

for candidate in "${CHROMIUM:-}" chromium chromium-browser google-chrome; do
  if [ -n "$candidate" ] && command -v "$candidate" >/dev/null 2>&1; then exit 0; fi
done

install=(apt-get install -y -qq chromium)
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  sudo=(sudo)
else
  echo "Chromium is needed for the browser tests and the demo's report. Install it, then run make again:" >&2
  echo "    sudo apt-get update && sudo apt-get install -y chromium" >&2
  echo "(or set CHROMIUM=/path/to/chromium)" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is needed and this is not a Debian/Ubuntu machine: install Chromium with your package manager," >&2
  echo "or set CHROMIUM=/path/to/chromium, then run make again." >&2
  exit 1
fi
echo "chromium: installing Debian's chromium package (apt-get)…" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" "${install[@]}" >/dev/null
command -v chromium >/dev/null

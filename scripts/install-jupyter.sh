#!/usr/bin/env bash
# install-jupyter.sh: install the Jupyter tools that the notebook test
# (notebooks/notebooks_test.go) drives: `jupyter nbconvert --execute` with
# Debian's packages (jupyter-nbconvert, jupyter-client, python3-nbformat,
# python3-nbclient), no recommends, on Debian's /usr/bin/python3.
#
# Idempotent and quiet: does nothing when /usr/bin/jupyter can import
# nbconvert, nbclient, nbformat and jupyter_client; runs `apt-get update`
# only when something must be installed; waits up to DPKG_LOCK_TIMEOUT
# seconds (default 300) for another apt/dpkg run. Exits non-zero when the
# tools cannot be installed. Needs root (or sudo). About a minute on a
# fresh machine.
set -euo pipefail

lock_timeout="${DPKG_LOCK_TIMEOUT:-300}"
export DEBIAN_FRONTEND=noninteractive
packages=(jupyter-nbconvert jupyter-client python3-nbformat python3-nbclient)

log() { printf 'install-jupyter: %s\n' "$*" >&2; }

present() {
	[ -x /usr/bin/jupyter ] && [ -x /usr/bin/python3 ] &&
		/usr/bin/python3 -c 'import nbconvert, nbclient, nbformat, jupyter_client' >/dev/null 2>&1 &&
		/usr/bin/jupyter nbconvert --version >/dev/null 2>&1
}

if present; then
	exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
	log "jupyter nbconvert missing and apt-get not available"
	exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo_cmd=(sudo -n)
	else
		log "not root and no sudo: cannot install ${packages[*]}"
		exit 1
	fi
fi

# shellcheck source=lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

# available PKG: apt knows an installable candidate for PKG.
available() {
	local cand
	cand="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')"
	[ -n "$cand" ] && [ "$cand" != "(none)" ]
}

missing=0
for p in "${packages[@]}"; do
	available "$p" || missing=1
done
if [ "$missing" -eq 1 ]; then
	apt_get update || { log "apt-get update failed"; exit 1; }
fi
want=()
for p in "${packages[@]}"; do
	if available "$p"; then
		want+=("$p")
	elif [ "$p" = python3-nbclient ]; then
		log "no $p package (older Debian bundles execution in nbconvert); going on without it"
	else
		log "no $p package in apt"
		exit 1
	fi
done
apt_get install -y --no-install-recommends "${want[@]}" || { log "could not install ${want[*]}"; exit 1; }
if present; then
	log "installed ${want[*]}"
else
	log "installed ${want[*]} but /usr/bin/jupyter nbconvert does not run"
	exit 1
fi

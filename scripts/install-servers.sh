#!/usr/bin/env bash
# install-servers.sh: install the real servers that Eddy's integration tests
# start on loopback (internal/testutil): redis-server (required) and
# nats-server (optional: skipped with a message when apt has no package).
#
# Idempotent and quiet: does nothing when both binaries are present, runs
# `apt-get update` only when something must be installed, and waits up to
# DPKG_LOCK_TIMEOUT seconds (default 300) for another apt/dpkg run to finish.
# Exits non-zero when redis-server cannot be installed. Needs root (or sudo).
set -euo pipefail

lock_timeout="${DPKG_LOCK_TIMEOUT:-300}"
export DEBIAN_FRONTEND=noninteractive

log() { printf 'install-servers: %s\n' "$*" >&2; }

have() {
	command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ] || [ -x "/usr/sbin/$1" ]
}

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		sudo_cmd=(sudo -n)
	else
		log "not root and no sudo: cannot install packages"
		exit 1
	fi
fi

if ! command -v apt-get >/dev/null 2>&1; then
	have redis-server || { log "redis-server missing and apt-get not available"; exit 1; }
	log "apt-get not available; nats-server not installed"
	exit 0
fi

# shellcheck source=lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

updated=0
apt_update_once() {
	if [ "$updated" -eq 0 ]; then
		apt_get update
		updated=1
	fi
}

# available PKG: apt knows an installable candidate for PKG.
available() {
	local cand
	cand="$(apt-cache policy "$1" 2>/dev/null | awk '/Candidate:/ {print $2}')"
	[ -n "$cand" ] && [ "$cand" != "(none)" ]
}

install_pkg() {
	apt_get install -y --no-install-recommends "$1"
}

status=0

# Keep the packages' maintainer scripts from starting daemons (a redis on
# port 6379 left running in a container), unless a policy is already set.
policy=/usr/sbin/policy-rc.d
remove_policy=0
no_daemons() {
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
		"${sudo_cmd[@]}" chmod +x "$policy"
		remove_policy=1
		trap 'if [ "$remove_policy" -eq 1 ]; then "${sudo_cmd[@]}" rm -f "$policy"; fi' EXIT
	fi
}

if have redis-server; then
	:
else
	no_daemons
	apt_update_once || { log "apt-get update failed"; exit 1; }
	if install_pkg redis-server && have redis-server; then
		log "installed redis-server"
	else
		log "could not install redis-server"
		status=1
	fi
fi

if have nats-server; then
	:
else
	if ! available nats-server; then
		apt_update_once || log "apt-get update failed"
	fi
	if available nats-server; then
		no_daemons
		if install_pkg nats-server && have nats-server; then
			log "installed nats-server"
		else
			log "could not install nats-server; NATS tests will skip (fail under CI=true)"
		fi
	else
		log "no nats-server package in apt; skipping it (NATS tests will skip, fail under CI=true)"
	fi
fi

exit "$status"

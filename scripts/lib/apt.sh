# apt.sh: apt-get helpers shared by the install scripts. Source it after
# defining log() and setting lock_timeout (seconds to wait for the dpkg
# locks) and sudo_cmd (an array: empty as root, (sudo -n) otherwise).

# wait_for_dpkg waits for the dpkg locks (older apt-get ignores
# DPkg::Lock::Timeout for the lists lock, so wait by hand too).
wait_for_dpkg() {
	local waited=0
	while command -v fuser >/dev/null 2>&1 &&
		fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1; do
		if [ "$waited" -ge "$lock_timeout" ]; then
			log "dpkg is still locked after ${lock_timeout}s"
			return 1
		fi
		[ "$waited" -eq 0 ] && log "waiting for another apt/dpkg run to finish"
		sleep 2
		waited=$((waited + 2))
	done
}

# apt_get runs apt-get quietly; its output is shown only when it fails.
apt_get() {
	wait_for_dpkg || return 1
	local out rc=0
	out="$("${sudo_cmd[@]}" apt-get -qq -o DPkg::Lock::Timeout="$lock_timeout" "$@" 2>&1)" || rc=$?
	if [ "$rc" -ne 0 ]; then
		log "apt-get $* failed (exit $rc):"
		printf '%s\n' "$out" >&2
	fi
	return "$rc"
}

# SPDX-License-Identifier: MIT
# base.bash: what common/lab and its roles share (sourced by each).
#
# common/lab is the command a user types.  The roles, each a file in this
# folder, run in the namespaces it makes:
#   outer     the first stage of "lab up": the lab's mount view and its
#             read-only copy of these files, then the holder
#   holder    PID 1 of the lab: makes the hosts and LANs, then waits
#   enter     "lab HOST ...": a command in HOST's network, with its names
#   guest     "lab guest HOST ...": a program under test, confined
#   sandbox   "lab sandbox DIR ...": a build with no network
# shell.rc is the lab shell's set-up ("lab HOST" with no command).
# holder, enter, guest and shell.rc run from the lab's read-only copy
# (/run/vpnlab/ro/lab-roles, made by outer at "lab up"; root of the lab may
# mount over a file there, but what runs from it runs as root of the lab,
# no higher): an edit here reaches a lab only at its next "lab up".
set -Eeuo pipefail
# A user's PATH often lacks the sbin folders (sysctl, ethtool): inside the
# lab they are root's tools too.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin
export PATH
# sleep as a shell builtin where Debian's bash-builtins is installed: the
# lab's short waits then start no process (on some virtual machines a
# process costs milliseconds).
enable -f /usr/lib/bash/sleep sleep 2>/dev/null || true

ROLES_DIR=${BASH_SOURCE[0]%/*}	# common/lab-roles, or the lab's copy
[[ $ROLES_DIR == /* ]] || ROLES_DIR=$PWD/$ROLES_DIR
# shellcheck disable=SC2034 # (the roles')
PREFIX=${LAB_PREFIX-}
RUN=/run/vpnlab			# inside the lab: its own files

# The hosts, their LANs and addresses: common/topology (beside this
# folder, and copied with it into the lab).
# shellcheck source=common/topology.bash
source "$ROLES_DIR/../topology.bash"
topology_load "$ROLES_DIR/../topology"
HOSTS=("${TOPO_HOSTS[@]}")
# shellcheck disable=SC2034 # (common/lab's and outer's)
ALL_HOSTS=("${TOPO_HOSTS[@]}" "${TOPO_OPTIONAL[@]}")	# with the optional ones
LINKS=("${TOPO_LINKS[@]}")	# "host LAN address/prefix"

die() {
	echo "ERROR: $*" >&2
	exit 1
}

# add_optional +NAME: the optional host NAME ("lab up +userx") and its links.
add_optional() {
	local name=${1#+} link
	[[ $1 == +* && " ${TOPO_OPTIONAL[*]} " == *" $name "* ]] || return 1
	HOSTS+=("$name")
	for link in "${TOPO_OPTIONAL_LINKS[@]}"; do
		[[ $link == "$name "* ]] && LINKS+=("$link")
	done
	return 0
}

# contain: a mount view where nothing of the machine's users remains (the
# lab's with LAB_CONTAIN, and the sandbox's).  What is not the system
# (/usr, /etc, /dev, ...) is hidden under an empty tmpfs, the places
# anyone may write (/tmp, /var/tmp, /dev/shm) are private, and LAB_BIND's
# folders appear read-only at $RUN/NAME (LAB_BIND_RW's writable).
contain() {
	local pair src name dir

	for pair in ${LAB_BIND-} ${LAB_BIND_RW-}; do
		src=${pair%%:*} name=${pair#*:}
		mkdir -p "$RUN/$name"
		mount --rbind "$src" "$RUN/$name"
	done
	for pair in ${LAB_BIND-}; do
		mount -o remount,bind,ro "$RUN/${pair#*:}"
	done
	for dir in /*; do
		[[ -d $dir && ! -L $dir ]] || continue
		case ${dir#/} in
		bin | sbin | lib | lib32 | lib64 | libx32 | usr | etc | dev | proc | sys | run | var) ;;
		tmp) mount -t tmpfs -o mode=1777,size=64m vpnlab-tmp /tmp ;;
		*) mount -t tmpfs -o mode=755,size=1m vpnlab-hidden "$dir" ;;
		esac
	done
	for dir in /var/tmp /var/crash /var/mail /var/spool /var/lib /var/log /var/cache /dev/shm /dev/mqueue /home; do
		[[ -d $dir && ! -L $dir ]] || continue
		mount -t tmpfs -o mode=1777,size=64m vpnlab-tmp "$dir"
	done
}

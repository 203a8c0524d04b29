# SPDX-License-Identifier: MIT
# steps.bash: common/steps, read for bash (builtins only).
#
#   steps_load FILE   sets:
#     STEP_NUMBERS        every step's number, in order (0 1 2 3 4)
#     STEP_DIR[N]         step N's folder (step1-tun)
#     STEPS_DIRS          the folders of the steps that build programs
#     PROGRAMS[DIR]       the programs a folder builds ("tun tun_ping")
steps_load() {
	local dir progs n
	STEP_NUMBERS=() STEPS_DIRS=()
	declare -gA STEP_DIR=() PROGRAMS=()
	while read -r dir progs; do
		[[ -z $dir || $dir == "#"* ]] && continue
		[[ $dir =~ ^step([0-9]+)- ]] || { echo "steps: $1: '$dir' is no stepN-name" >&2; return 1; }
		n=${BASH_REMATCH[1]}
		STEP_NUMBERS+=("$n")
		STEP_DIR[$n]=$dir
		[[ -n $progs ]] && STEPS_DIRS+=("$dir") PROGRAMS[$dir]=$progs
	done <"$1"
	return 0
}

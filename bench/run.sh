#!/usr/bin/env bash
# Benchmarks: sysnoop side by side with its peers from Debian (libbpf-tools, bpftrace) and
# with no tracer, on this machine, in one run. Prints one markdown table on stdout
# (progress on stderr).
#
#   sudo bench/run.sh            # everything: about 15 minutes on 2 cores
#   REPEAT=1 bench/run.sh        # one run per figure instead of the median of 3
#   SYSNOOP=path/to/sysnoop ...  # another build (default build/sysnoop)
#
# Scenarios:
#  - open storm: OPEN_N (1,000,000) open+close of one marker file by one process;
#  - exec storm: EXEC_N (5,000) fork+exec of /bin/true with a marker argument.
#    For each: the cost to the traced process, as its CPU time per operation (user and
#    system: the tracers' BPF programs run in its system time; steadier than the wall
#    clock on a shared machine, which is shown too), its ratio to a run with no tracer
#    made just before (the median of REPEAT pairs), marker events printed / generated,
#    drops as each tool reports them, the run time of the tool's BPF programs per
#    operation (kernel.bpf_stats_enabled, on for the run), the tracer's own CPU time per
#    event generated, and its peak RSS (VmHWM). Tools print into a pipe read by one counting sink
#    (sn-storm sink), the same reader for all.
#  - startup: ms from launching the tool until it prints the first event of a marker
#    action repeated every 2 ms, median of STARTUP_N (10); peers run under `stdbuf -oL`,
#    as on a terminal (sysnoop flushes every 50 ms by itself);
#  - footprint: binary size and linkage (ldd);
#  - kernel cost: the open storm under a summary-only tracer (counting in the kernel,
#    printing nothing per event): CPU time added per open+close (two syscalls).
# sysnoop commands missing from the build are left out, and their rows say so; a peer
# that fails to start on this kernel has its error in the table.
set -uo pipefail
cd "$(dirname "$0")/.."

REPEAT=${REPEAT:-3}
OPEN_N=${OPEN_N:-1000000}
EXEC_N=${EXEC_N:-5000}
STARTUP_N=${STARTUP_N:-10}
sysnoop=${SYSNOOP:-build/sysnoop}
storm=$PWD/build/sn-storm

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/run.sh: loads BPF programs: run as root" >&2
	exit 2
fi
missing=()
for p in libbpf-tools bpftrace; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench: installing the peers: ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >/dev/null || exit 1
fi
[ -x "$sysnoop" ] || make -s -j"$(nproc)" >&2 || exit 1
sysnoop=$(realpath "$sysnoop")
cc -O2 -Wall -Wextra -Werror -o "$storm" tests/robust/storm.c || exit 1
mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
tick=$(getconf CLK_TCK)
# The kernel times each BPF program run only while asked to (a few ns per run).
bpf_stats=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -q -w kernel.bpf_stats_enabled=1

work=$(mktemp -d /tmp/sn-bench.XXXXXX)
tool_pid=
cleanup() {
	[ -n "$tool_pid" ] && kill -KILL "$tool_pid" 2>/dev/null
	sysctl -q -w kernel.bpf_stats_enabled="$bpf_stats"
	rm -rf "$work"
}
trap cleanup EXIT

rows=()
# One table row; cells not given (or empty) show "-".
row() { # scenario tool measure value ratio printed dropped bpf-time tracer-cpu rss
	local r="|" i
	for ((i = 1; i <= 10; i++)); do r+=" ${!i:--} |"; done
	rows+=("$r")
}
fail_row() { # scenario tool measure why
	local why=${4//|/\\|}
	row "$1" "$2" "$3" "failed: ${why:0:160}"
}
log() { echo "bench: $*" >&2; }
median() { sort -g | awk '{ v[NR] = $1 } END { print NR ? v[int((NR + 1) / 2)] : "" }'; }
has_cmd() { "$sysnoop" "$1" --help >/dev/null 2>&1; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }
# Nanoseconds all the BPF programs PID holds have run so far.
bpf_run_ns() {
	cat /proc/"$1"/fdinfo/* 2>/dev/null | awk '/^run_time_ns:/ { s += $2 } END { print s + 0 }'
}

# bpftrace one-liners with the fields of the classic tools.
cat >"$work/open.bt" <<'EOF'
tracepoint:syscalls:sys_enter_open,tracepoint:syscalls:sys_enter_openat {
	@fn[tid] = args->filename; }
tracepoint:syscalls:sys_exit_open,tracepoint:syscalls:sys_exit_openat /@fn[tid]/ {
	printf("%-7d %-16s %4d %s\n", pid, comm, args->ret, str(@fn[tid]));
	delete(@fn[tid]); }
EOF
cat >"$work/exec.bt" <<'EOF'
tracepoint:syscalls:sys_enter_execve {
	printf("%-16s %-7d %-7d ", comm, pid, curtask->real_parent->tgid); join(args->argv); }
EOF
cat >"$work/count.bt" <<'EOF'
tracepoint:raw_syscalls:sys_enter { @[args->id] = count(); }
EOF

# Drops as each tool reports them: sysnoop in its summary (JSON) or its last stderr line,
# bpftrace in "Lost N events" lines on stdout (summed by the sink), libbpf-tools on stderr.
drops_of() { # tool sink-output stderr
	local tool=$1 sink=$2 err=$3 n
	case $tool in
	sysnoop*)
		n=$(grep -oE '"dropped":[0-9]+' "$sink" | cut -d: -f2)
		[ -n "$n" ] || n=$(grep -oE '[0-9]+ dropped' "$err" | tail -n 1 | cut -d' ' -f1)
		echo "${n:-not reported}" ;;
	bpftrace*) awk '/^lines/ { print $6 }' "$sink" ;;
	*) grep -ahoE 'Lost [0-9]+ events' "$err" | awk '{ s += $2 } END { print s + 0 }' ;;
	esac
}

# The marker action: N events of KIND (open of a file, or exec with an argument); prints
# sn-storm's "ops N ns T ns_per_op X cpu_ns_per_op C".
act() { # kind marker n
	case $1 in
	open) "$storm" open "$work/$2" "$3" ;;
	exec) "$storm" exec "$2" "$3" ;;
	esac
}
pattern() { [ "$1" = open ] && echo "$work/$2" || echo "ev-$2"; }
# "cpu_ns_per_op wall_ns_per_op" of a storm's output.
costs() { awk '{ print $8, $6 }'; }

# A storm with no tracer: "cpu wall" ns per op. The machine's load drifts (other work runs
# on it), so one runs right before each traced run, and each ratio is taken against it.
declare -A base_runs
baseline() { # label kind n: sets base_cpu (not in a subshell: base_runs must keep it)
	local r
	touch "$work/base"
	r=$(act "$2" base "$3" | costs)
	base_runs[$1]+="$r,"
	base_cpu=${r%% *}
}

# storm_run KIND N TOOL CMD...: one storm under CMD. Prints "cpu wall printed dropped
# tracer_cpu_ns_per_event hwm_kib bpf_ns_per_op", or "failed: why".
storm_run() {
	local kind=$1 n=$2 tool=$3 marker=m$RANDOM ready=r$RANDOM r printed dropped hwm t0 t1 b0 b1
	shift 3
	touch "$work/$marker" "$work/$ready"
	rm -f "$work/fifo" "$work/ready.flag"
	mkfifo "$work/fifo"
	READY_PATTERN=$(pattern "$kind" "$ready") READY_FILE=$work/ready.flag \
		"$storm" sink "$(pattern "$kind" "$marker")" <"$work/fifo" >"$work/sink" &
	local sink_pid=$!
	: >"$work/err"
	"$@" >"$work/fifo" 2>"$work/err" &
	tool_pid=$!
	# Ready once its output shows our ready events (a few at a time: buffered output).
	for _ in $(seq 600); do
		[ -e "$work/ready.flag" ] && break
		if ! kill -0 "$tool_pid" 2>/dev/null; then
			wait "$sink_pid"
			echo "failed: $(grep -v '^$' "$work/err" | head -n 1)"
			tool_pid=
			return
		fi
		act "$kind" "$ready" 10 >/dev/null
		sleep 0.1
	done
	t0=$(cpu_ticks "$tool_pid")
	b0=$(bpf_run_ns "$tool_pid")
	r=$(act "$kind" "$marker" "$n" | costs)
	b1=$(bpf_run_ns "$tool_pid")
	sleep 1 # the tools drain
	t1=$(cpu_ticks "$tool_pid")
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$tool_pid/status")
	kill -INT "$tool_pid"
	for _ in $(seq 300); do kill -0 "$tool_pid" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$tool_pid" 2>/dev/null
	wait "$tool_pid" 2>/dev/null
	tool_pid=
	wait "$sink_pid"
	printed=$(awk '/^lines/ { print $4 }' "$work/sink")
	dropped=$(drops_of "$tool" "$work/sink" "$work/err")
	rm -f "$work/$marker" "$work/$ready"
	echo "$r $printed ${dropped// /_} $(((t1 - t0) * 1000000000 / tick / n)) $hwm" \
		"$(((b1 - b0) / n))"
}

# scenario LABEL KIND N TOOL CMD...: REPEAT pairs of runs (no tracer, then CMD); the row of
# the median run by CPU per op, with the median of the pairs' ratios.
scenario() {
	local label=$1 kind=$2 n=$3 tool=$4 runs=() ratios=() r med
	local cpu wall printed dropped tcpu hwm bpf
	shift 4
	log "$label: $tool"
	for _ in $(seq "$REPEAT"); do
		baseline "$label" "$kind" "$n"
		r=$(storm_run "$kind" "$n" "$tool" "$@")
		if [[ $r == failed* ]]; then
			fail_row "$label" "$tool" "ns per $kind" "${r#failed: }"
			return
		fi
		runs+=("$r")
		ratios+=("$(awk -v a="${r%% *}" -v b="$base_cpu" 'BEGIN { print a / b }')")
	done
	med=$(printf '%s\n' "${runs[@]}" | sort -g -k1,1 | sed -n "$(((${#runs[@]} + 1) / 2))p")
	read -r cpu wall printed dropped tcpu hwm bpf <<<"$med"
	row "$label" "$tool" "ns per $kind: CPU of the traced process (wall)" \
		"$(printf '%.0f (%.0f)' "$cpu" "$wall")" \
		"$(printf '%s\n' "${ratios[@]}" | median | awk '{ printf "%.2f×", $1 }')" \
		"$printed / $n" "${dropped//_/ }" "$bpf ns" \
		"$(awk -v t="$tcpu" 'BEGIN { printf "%.1f µs", t / 1000 }')" "$((hwm / 1024)) MiB"
}

# The no-tracer row of a scenario, from every baseline run taken for it.
baseline_row() { # label kind
	local cpu wall
	cpu=$(tr ',' '\n' <<<"${base_runs[$1]}" | grep . | cut -d' ' -f1 | median)
	wall=$(tr ',' '\n' <<<"${base_runs[$1]}" | grep . | cut -d' ' -f2 | median)
	row "$1" "no tracer (median of $(tr ',' '\n' <<<"${base_runs[$1]}" | grep -c .) runs)" \
		"ns per $2: CPU (wall)" "$(printf '%.0f (%.0f)' "$cpu" "$wall")" "1.00×"
}

# startup LABEL KIND TOOL CMD...: median ms of STARTUP_N launches.
startup() {
	local label=$1 kind=$2 tool=$3 ms=() m out
	shift 3
	log "startup: $tool"
	for _ in $(seq "$STARTUP_N"); do
		out=$("$storm" startup "$kind" "s$RANDOM$RANDOM" -- "$@" 2>&1)
		m=$(sed -n 's/^startup_ms //p' <<<"$out")
		if [ -z "$m" ]; then
			fail_row "$label" "$tool" "ms to first event" "$out"
			return
		fi
		ms+=("$m")
	done
	row "$label" "$tool" "ms to the first $kind event (median of $STARTUP_N)" \
		"$(printf '%s\n' "${ms[@]}" | median)"
}

# Kernel-side cost: counting in the kernel, nothing per event to user space. REPEAT pairs
# of open storms, no tracer then the tool; the median of the differences.
cost() {
	local tool=$1 r deltas=() ratios=() tcpus=() bpfs=() t0 t1 b0 b1
	shift
	log "kernel cost: $tool"
	touch "$work/cost"
	for _ in $(seq "$REPEAT"); do
		baseline "kernel cost" open "$OPEN_N"
		: >"$work/cost.out"
		: >"$work/cost.err"
		"$@" >"$work/cost.out" 2>"$work/cost.err" &
		tool_pid=$!
		# Each says when it starts (bpftrace just before it attaches): then a second more.
		for _ in $(seq 300); do
			grep -qE 'tracing with|Tracing syscalls|Attaching' "$work/cost.out" \
				"$work/cost.err" && break
			kill -0 "$tool_pid" 2>/dev/null || break
			sleep 0.1
		done
		sleep 1
		if ! kill -0 "$tool_pid" 2>/dev/null; then
			fail_row "kernel cost" "$tool" "ns added per open+close" \
				"$(grep -v '^$' "$work/cost.err" | head -n 1)"
			tool_pid=
			return
		fi
		t0=$(cpu_ticks "$tool_pid")
		b0=$(bpf_run_ns "$tool_pid")
		r=$(act open cost "$OPEN_N" | costs)
		b1=$(bpf_run_ns "$tool_pid")
		t1=$(cpu_ticks "$tool_pid")
		kill -INT "$tool_pid"
		wait "$tool_pid" 2>/dev/null
		tool_pid=
		deltas+=("$(awk -v a="${r%% *}" -v b="$base_cpu" 'BEGIN { print a - b }')")
		ratios+=("$(awk -v a="${r%% *}" -v b="$base_cpu" 'BEGIN { print a / b }')")
		tcpus+=("$(((t1 - t0) * 1000000000 / tick / OPEN_N))")
		bpfs+=("$(((b1 - b0) / OPEN_N))")
	done
	row "kernel cost" "$tool" "CPU ns added per open+close (2 syscalls), median of $REPEAT" \
		"$(printf '%s\n' "${deltas[@]}" | median | awk '{ printf "%.0f", $1 }')" \
		"$(printf '%s\n' "${ratios[@]}" | median | awk '{ printf "%.2f×", $1 }')" "" "" \
		"$(printf '%s\n' "${bpfs[@]}" | median) ns" \
		"$(printf '%s\n' "${tcpus[@]}" | median | awk '{ printf "%.2f µs", $1 / 1000 }')"
}

footprint() { # tool binary
	local tool=$1 bin=$2 size libs
	size=$(stat -Lc %s "$bin" | awk '{ printf "%.1f MB", $1 / 1e6 }')
	if ldd "$bin" >/dev/null 2>&1; then
		libs=$(ldd "$bin" | awk '$3 ~ /^\// { print $3 }')
		row "footprint" "$tool" "binary; shared libraries (ldd)" \
			"$size; $(wc -l <<<"$libs") libs, $(xargs stat -Lc %s <<<"$libs" |
				awk '{ s += $1 } END { printf "%.1f MB", s / 1e6 }')"
	else
		row "footprint" "$tool" "binary; shared libraries (ldd)" "$size; static"
	fi
}

if has_cmd open; then
	scenario "open storm" open "$OPEN_N" "sysnoop open" "$sysnoop" open
	scenario "open storm" open "$OPEN_N" "sysnoop open --json" "$sysnoop" open --json
else
	row "open storm" "sysnoop open" "-" "not measured: no open command in this build"
fi
scenario "open storm" open "$OPEN_N" "opensnoop (libbpf-tools)" /usr/sbin/opensnoop
scenario "open storm" open "$OPEN_N" "bpftrace one-liner" bpftrace "$work/open.bt"
baseline_row "open storm" open

scenario "exec storm" exec "$EXEC_N" "sysnoop exec" "$sysnoop" exec
scenario "exec storm" exec "$EXEC_N" "sysnoop exec --json" "$sysnoop" exec --json
scenario "exec storm" exec "$EXEC_N" "execsnoop (libbpf-tools)" /usr/sbin/execsnoop
scenario "exec storm" exec "$EXEC_N" "bpftrace one-liner" bpftrace "$work/exec.bt"
baseline_row "exec storm" exec

if has_cmd open; then
	startup "startup" open "sysnoop open" "$sysnoop" open
fi
startup "startup" open "opensnoop (libbpf-tools)" stdbuf -oL /usr/sbin/opensnoop
startup "startup" open "bpftrace one-liner" stdbuf -oL bpftrace "$work/open.bt"
startup "startup" exec "sysnoop exec" "$sysnoop" exec
startup "startup" exec "execsnoop (libbpf-tools)" stdbuf -oL /usr/sbin/execsnoop
startup "startup" exec "bpftrace one-liner" stdbuf -oL bpftrace "$work/exec.bt"

footprint "sysnoop" "$sysnoop"
footprint "libbpf-tools (opensnoop)" /usr/sbin/opensnoop
footprint "bpftrace" "$(command -v bpftrace)"

if has_cmd syscount; then
	cost "sysnoop syscount" "$sysnoop" syscount
else
	row "kernel cost" "sysnoop syscount" "-" "skipped: no syscount command in this build"
fi
cost "syscount (libbpf-tools)" stdbuf -oL /usr/sbin/syscount
cost "bpftrace count by syscall" stdbuf -oL bpftrace "$work/count.bt"
baseline_row "kernel cost" open

echo "| scenario | tool | measure | value | vs no tracer | marker events printed / generated" \
	"| dropped (as the tool reports) | BPF run time per op | tracer's CPU per event |" \
	"peak RSS |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"

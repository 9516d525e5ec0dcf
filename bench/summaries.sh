#!/usr/bin/env bash
# Overhead of the in-kernel summaries on an open storm, side by side with the peers.
#
# A C program (built here with gcc -O2) does N open+close of one marker path, in chunks,
# and reports the ns per open+close of its fastest chunk: on a shared machine, other load
# only ever adds time, so the fastest chunk is the closest to the real cost. Each tracer's
# run is paired with a run without a tracer just before it, and the slowdown is the median
# over the rounds of those pairs' ratios, so slow drifts of the background load cancel.
# A last, shorter pass per tracer turns on kernel.bpf_stats_enabled (restored after) for
# the kernel's own timing of the tracer's programs: "BPF ns per run" (each run), and "BPF ns
# per open+close" (all runs during the storm over its iterations; other processes' calls
# that the programs see meanwhile add a little). Neither counts the cost of the tracepoint
# machinery itself, which wall-clock time does.
# Prints one markdown table. Needs root; installs libbpf-tools and bpftrace if missing.
#
#   bench/summaries.sh                      # N=1000000 CHUNK=50000 ROUNDS=3
#   ROUNDS=5 bench/summaries.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
CHUNK=${CHUNK:-50000}
ROUNDS=${ROUNDS:-3}
SYSNOOP=${SYSNOOP:-build/sysnoop}

if [ "$(id -u)" -ne 0 ]; then
	echo "bench/summaries.sh: loads BPF programs: run as root" >&2
	exit 2
fi
[ -x "$SYSNOOP" ] || make -j"$(nproc)" >/dev/null
missing=()
[ -x /usr/sbin/syscount ] || missing+=(libbpf-tools)
command -v bpftrace >/dev/null || missing+=(bpftrace)
if [ ${#missing[@]} -gt 0 ]; then
	echo "bench: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

tmp=$(mktemp -d /tmp/sn-bench.XXXXXX)
tracer_pid=
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
	if [ -n "$tracer_pid" ]; then
		kill -INT "$tracer_pid" 2>/dev/null && wait "$tracer_pid" 2>/dev/null
	fi
	sysctl -q kernel.bpf_stats_enabled="$stats_was"
	rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/openstorm.c" <<'C'
/* openstorm PATH N CHUNK: N open+close of PATH; prints "BEST_CHUNK_NS MEAN_NS" per pair. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = atol(argv[2]), chunk = atol(argv[3]), done = 0;
	double start = now_ns(), best = 0;

	while (done < n) {
		long todo = n - done < chunk ? n - done : chunk;
		double t0 = now_ns(), per;

		for (long i = 0; i < todo; i++) {
			int fd = open(argv[1], O_RDONLY);

			if (fd < 0) {
				perror(argv[1]);
				return 1;
			}
			close(fd);
		}
		per = (now_ns() - t0) / todo;
		if (!best || per < best)
			best = per;
		done += todo;
	}
	printf("%.1f %.1f\n", best, (now_ns() - start) / n);
	return 0;
}
C
gcc -O2 -o "$tmp/openstorm" "$tmp/openstorm.c"
marker="$tmp/sn-bench-marker"
: >"$marker"

# bpftrace's equivalents of the two summaries, as the one-liners people type.
echo 'tracepoint:raw_syscalls:sys_enter { @[args->id] = count(); }' >"$tmp/count.bt"
cat >"$tmp/openat.bt" <<'BT'
tracepoint:syscalls:sys_enter_openat { @start[tid] = nsecs; }
tracepoint:syscalls:sys_exit_openat /@start[tid]/ {
	@us = hist((nsecs - @start[tid]) / 1000);
	delete(@start[tid]);
}
BT

# name | text that says it is attached | command. stdbuf: libbpf-tools would keep its
# banner in a full stdio buffer when writing to a file.
tracers=(
	"sysnoop syscount|tracing with|$SYSNOOP syscount"
	"sysnoop syscount -L|tracing with|$SYSNOOP syscount -L"
	"sysnoop hist --syscall openat|tracing with|$SYSNOOP hist --syscall openat"
	"libbpf-tools syscount|Tracing syscalls|stdbuf -oL /usr/sbin/syscount"
	"bpftrace: count by id|Attaching|bpftrace $tmp/count.bt"
	"bpftrace: openat latency hist|Attaching|bpftrace $tmp/openat.bt"
)

# Starts a tracer and waits until it says it is attached, then a second for attach to settle.
start_tracer() {
	local ready=$1 cmd=$2 log=$3
	# shellcheck disable=SC2086 # the command line is split on purpose
	$cmd >"$log" 2>&1 &
	tracer_pid=$!
	for _ in $(seq 150); do
		grep -q "$ready" "$log" && { sleep 1; return 0; }
		kill -0 "$tracer_pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "bench: '$cmd' did not start: $(head -c 300 "$log")" >&2
	tracer_pid=
	return 1
}

stop_tracer() {
	kill -INT "$tracer_pid"
	wait "$tracer_pid" || true
	tracer_pid=
}

# "RUN_TIME_NS RUN_CNT" summed over the BPF programs process $1 holds.
bpf_time() {
	local ids
	ids=$(grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u)
	for id in $ids; do
		bpftool prog show id "$id" 2>/dev/null | grep -o 'run_time_ns [0-9]* run_cnt [0-9]*'
	done | awk '{ t += $2; c += $4 } END { printf "%d %d\n", t, c }'
}

storm() {
	"$tmp/openstorm" "$marker" "$1" "$CHUNK"
}

# The median of the numbers on stdin, "-" if none; the minimum with "min".
pick() {
	tr ' ' '\n' | { grep -E '^[0-9.]+$' || true; } | sort -g | awk -v how="${1:-median}" '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "-"; exit }
			if (how == "min") { print v[1]; exit }
			print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		}'
}

declare -A best ratio per_run per_iter
baseline=
for round in $(seq "$ROUNDS"); do
	for i in "${!tracers[@]}"; do
		IFS='|' read -r name ready cmd <<<"${tracers[$i]}"
		read -r b _ <<<"$(storm "$N")"
		baseline+="$b "
		if ! start_tracer "$ready" "$cmd" "$tmp/tracer-$i.log"; then
			continue
		fi
		read -r t _ <<<"$(storm "$N")"
		stop_tracer
		best[$i]+="$t "
		ratio[$i]+="$(awk -v t="$t" -v b="$b" 'BEGIN { printf "%.3f", t / b }') "
		echo "round $round: $name: $t ns (without: $b ns)" >&2
	done
done

sysctl -q kernel.bpf_stats_enabled=1
for i in "${!tracers[@]}"; do
	IFS='|' read -r name ready cmd <<<"${tracers[$i]}"
	start_tracer "$ready" "$cmd" "$tmp/tracer-$i.log" || continue
	read -r t0 c0 <<<"$(bpf_time "$tracer_pid")"
	storm $((N / 4)) >/dev/null
	read -r t1 c1 <<<"$(bpf_time "$tracer_pid")"
	stop_tracer
	if [ "$c1" -gt "$c0" ]; then
		per_run[$i]=$(((t1 - t0) / (c1 - c0)))
		per_iter[$i]=$(((t1 - t0) / (N / 4)))
	fi
	echo "stats: $name: ${per_run[$i]:-?} ns per BPF run" >&2
done
sysctl -q kernel.bpf_stats_enabled="$stats_was"

echo
echo "Open storm: $N open+close of one path, fastest chunk of $CHUNK, $ROUNDS rounds;" \
	"kernel $(uname -r), $(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "| tracer | ns per open+close | slowdown | BPF ns per run | BPF ns per open+close |" \
	"slowdown per round |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
echo "| none | $(pick min <<<"$baseline") | 1.00x | - | - | |"
for i in "${!tracers[@]}"; do
	IFS='|' read -r name _ _ <<<"${tracers[$i]}"
	r=$(pick <<<"${ratio[$i]:-}")
	[ "$r" = "-" ] || r=$(printf "%.2fx" "$r")
	echo "| $name | $(pick min <<<"${best[$i]:-}") | $r | ${per_run[$i]:--} |" \
		"${per_iter[$i]:--} | ${ratio[$i]:-did not start} |"
done

#!/usr/bin/env bash
# Overhead of the in-kernel summaries on an open storm, side by side with the peers:
# a C program does N open+close of one marker path (built here with gcc -O2) with no
# tracer, then under each tracer in turn, and reports the CPU time it used per open+close
# (BPF programs run inside its system calls, so their cost is in it; time spent waiting
# for a CPU that other load holds is not). Rounds go round-robin over the tracers, so
# background load spreads evenly; the slowdown compares the best round of each (noise only
# ever adds time), the median is shown beside it. A last, shorter pass per tracer turns on
# kernel.bpf_stats_enabled (restored after) for "BPF ns per run": the kernel's own timing
# of each invocation of the tracer's programs.
# Prints one markdown table. Needs root; installs libbpf-tools and bpftrace if missing.
#
#   bench/summaries.sh            # N=1000000 ROUNDS=3
#   N=200000 ROUNDS=5 bench/summaries.sh
set -euo pipefail
cd "$(dirname "$0")/.."

N=${N:-1000000}
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
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = atol(argv[2]);
	struct timespec a, b;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &a);
	for (long i = 0; i < n; i++) {
		int fd = open(argv[1], O_RDONLY);

		if (fd < 0) {
			perror(argv[1]);
			return 1;
		}
		close(fd);
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &b);
	printf("%.1f\n", ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n);
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

# name | text that says it is attached | command ("" for no tracer). stdbuf: libbpf-tools
# would keep its banner in a full stdio buffer when writing to a file.
tracers=(
	"none||"
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

# "RUN_TIME_NS RUN_CNT" summed over the BPF programs process $1 holds.
bpf_time() {
	local ids
	ids=$(grep -h '^prog_id:' /proc/"$1"/fdinfo/* 2>/dev/null | awk '{ print $2 }' | sort -u)
	for id in $ids; do
		bpftool prog show id "$id" 2>/dev/null | grep -o 'run_time_ns [0-9]* run_cnt [0-9]*'
	done | awk '{ t += $2; c += $4 } END { printf "%d %d\n", t, c }'
}

stop_tracer() {
	kill -INT "$tracer_pid"
	wait "$tracer_pid" || true
	tracer_pid=
}

# Runs the storm of $2 iterations under tracer $1 (an index into tracers); prints its ns,
# or with $3 set the tracer's BPF ns per run instead.
run_one() {
	local i=$1 n=$2 stats=${3:-} name ready cmd t0 c0 t1 c1 ns
	IFS='|' read -r name ready cmd <<<"${tracers[$i]}"
	if [ -n "$cmd" ] && ! start_tracer "$ready" "$cmd" "$tmp/tracer-$i.log"; then
		echo fail
		return
	fi
	[ -n "$stats" ] && read -r t0 c0 <<<"$(bpf_time "$tracer_pid")"
	ns=$("$tmp/openstorm" "$marker" "$n")
	[ -n "$stats" ] && read -r t1 c1 <<<"$(bpf_time "$tracer_pid")"
	[ -n "$cmd" ] && stop_tracer
	if [ -z "$stats" ]; then
		echo "$ns"
	elif [ "$c1" -gt "$c0" ]; then
		echo "$(((t1 - t0) / (c1 - c0)))"
	fi
}

declare -A results per_run
for round in $(seq "$ROUNDS"); do
	for i in "${!tracers[@]}"; do
		ns=$(run_one "$i" "$N")
		results[$i]+="$ns "
		echo "round $round: ${tracers[$i]%%|*}: $ns ns" >&2
	done
done
sysctl -q kernel.bpf_stats_enabled=1
for i in "${!tracers[@]}"; do
	[ "$i" -eq 0 ] && continue
	per_run[$i]=$(run_one "$i" $((N / 4)) stats)
	echo "stats: ${tracers[$i]%%|*}: ${per_run[$i]} ns per BPF run" >&2
done
sysctl -q kernel.bpf_stats_enabled="$stats_was"

# The median and the best of the numbers on stdin: "MEDIAN BEST", or "- -" if none.
stats() {
	tr ' ' '\n' | { grep -E '^[0-9.]+$' || true; } | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "- -"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.1f %.1f\n", m, v[1] }'
}

read -r _ base <<<"$(stats <<<"${results[0]}")"
echo
echo "Open storm: $N open+close of one path, $ROUNDS rounds; kernel $(uname -r)," \
	"$(nproc) CPUs, load average $(cut -d' ' -f1 /proc/loadavg)."
echo
echo "| tracer | CPU ns per open+close (best) | slowdown | median | BPF ns per run | rounds (ns) |"
echo "| --- | ---: | ---: | ---: | ---: | --- |"
for i in "${!tracers[@]}"; do
	IFS='|' read -r name _ _ <<<"${tracers[$i]}"
	read -r med best <<<"$(stats <<<"${results[$i]}")"
	read -r bpf _ <<<"$(stats <<<"${per_run[$i]:-}")"
	if [ "$best" = "-" ]; then
		ratio="did not start"
	else
		ratio=$(awk -v m="$best" -v b="$base" 'BEGIN { printf "%.2fx", m / b }')
	fi
	echo "| $name | $best | $ratio | $med | $bpf | ${results[$i]% } |"
done

#!/usr/bin/env bash
# compare.sh FILE [FILE.keys]
#
# Measures `mikeyscope report` on a capture and, when tshark is installed,
# `tshark -r FILE -Y mikey` on the same file, and prints for each the wall
# time, packets/s, MB/s and peak resident memory, then the ratio.
#
# Environment:
#   MIKEYSCOPE       path of a mikeyscope binary (default: built from ./cmd/mikeyscope)
#   MIKEYSCOPE_ARGS  extra arguments for `mikeyscope report` (default: none)
#   TSHARK           path of tshark (default: tshark from PATH)
#   TSHARK_ARGS      tshark's arguments after -n -r FILE (default: -Y mikey);
#                    issue #19's target uses "-Y mikey -T fields -e mikey.csb_id"
#   RUNS             runs of each program, interleaved (default 5): the
#                    median and the best wall time are printed, and the
#                    largest peak RSS (a shared or virtual machine's timing
#                    varies from run to run by 10-30 %)
#
# Example:
#   go run ./bench/gen -out bench/out && bench/compare.sh bench/out/calls.pcap
set -euo pipefail

usage() { echo "usage: $0 FILE [KEYSFILE]" >&2; exit 2; }
[ $# -ge 1 ] && [ $# -le 2 ] || usage
file=$1
[ -r "$file" ] || { echo "$0: cannot read $file" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

keys=${2:-}
if [ -z "$keys" ]; then
	base=${file%.pcapng}
	base=${base%.pcap}
	[ -r "$base.keys" ] && keys=$base.keys
fi

bin=${MIKEYSCOPE:-}
if [ -z "$bin" ]; then
	bin=$work/mikeyscope
	(cd "$root" && go build -o "$bin" ./cmd/mikeyscope) || { echo "$0: cannot build mikeyscope" >&2; exit 2; }
fi

# Packet count: capinfos when present, otherwise the benchmark generator's counter.
packets=""
if command -v capinfos >/dev/null 2>&1; then
	packets=$(capinfos -M -c "$file" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/[^0-9]/, "", $2); print $2}')
fi
if [ -z "$packets" ]; then
	(cd "$root" && go build -o "$work/benchgen" ./bench/gen)
	packets=$("$work/benchgen" -count "$file")
fi
bytes=$(stat -c %s "$file" 2>/dev/null || wc -c <"$file")
have_time=0
[ -x /usr/bin/time ] && have_time=1

# measure NAME CMD... runs the command, discarding its output, and sets
# secs and rss_kb (rss_kb is empty without /usr/bin/time). Exit status 1 of
# mikeyscope report means findings, not failure; >=2 is reported.
measure() {
	local name=$1
	shift
	local t0 t1 status=0
	t0=$(date +%s.%N)
	if [ $have_time = 1 ]; then
		/usr/bin/time -v -o "$work/$name.time" "$@" >"$work/$name.out" 2>"$work/$name.err" || status=$?
	else
		"$@" >"$work/$name.out" 2>"$work/$name.err" || status=$?
	fi
	t1=$(date +%s.%N)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
	rss_kb=""
	if [ $have_time = 1 ] && [ -r "$work/$name.time" ]; then
		rss_kb=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/$name.time")
	fi
	if [ "$status" -ge 2 ]; then
		echo "$name exited with status $status:" >&2
		tail -5 "$work/$name.err" >&2
	fi
}


printf "file        %s (%d packets, %.1f MB)\n" "$file" "$packets" "$(awk -v b="$bytes" 'BEGIN {print b / 1e6}')"

runs=${RUNS:-5}
args=(report)
[ -n "$keys" ] && args+=(-keys "$keys")
# shellcheck disable=SC2206
[ -n "${MIKEYSCOPE_ARGS:-}" ] && args+=(${MIKEYSCOPE_ARGS})
args+=("$file")
tshark_bin=${TSHARK:-$(command -v tshark || true)}

# Runs alternate between the two programs so that a slow spell of the
# machine affects both alike.
: >"$work/m.runs"
: >"$work/t.runs"
for _ in $(seq "$runs"); do
	measure mikeyscope "$bin" "${args[@]}"
	echo "$secs ${rss_kb:-}" >>"$work/m.runs"
	if [ -n "$tshark_bin" ]; then
		# shellcheck disable=SC2086
		measure tshark "$tshark_bin" -n -r "$file" ${TSHARK_ARGS:--Y mikey}
		echo "$secs ${rss_kb:-}" >>"$work/t.runs"
	fi
done

# stats FILE prints "median best maxrss" of a runs file.
stats() {
	sort -n "$1" | awk '{s[NR] = $1; if ($2 != "" && $2 > r) r = $2} END {printf "%s %s %s\n", s[int((NR + 1) / 2)], s[1], r}'
}

line() { # name secs best rss_kb
	awk -v n="$1" -v s="$2" -v best="$3" -v r="$4" -v p="$packets" -v b="$bytes" -v runs="$runs" 'BEGIN {
		if (s <= 0) s = 0.001
		if (best <= 0) best = 0.001
		rss = (r == "") ? "n/a" : sprintf("%.1f MB", r / 1024)
		printf "%-11s median %6.2f s %10.0f pkt/s %7.1f MB/s | best %6.2f s %10.0f pkt/s | peak RSS %s (%d runs)\n", n, s, p / s, b / 1e6 / s, best, p / best, rss, runs
	}'
}

read -r m_secs m_best m_rss < <(stats "$work/m.runs")
line mikeyscope "$m_secs" "$m_best" "$m_rss"
if [ -z "$tshark_bin" ]; then
	echo "tshark      not installed (apt-get install -y tshark); no comparison"
	exit 0
fi
read -r t_secs t_best t_rss < <(stats "$work/t.runs")
line tshark "$t_secs" "$t_best" "$t_rss"
awk -v m="$m_secs" -v t="$t_secs" -v mb="$m_best" -v tb="$t_best" -v mr="$m_rss" -v tr="$t_rss" 'BEGIN {
	if (m <= 0) m = 0.001
	if (mb <= 0) mb = 0.001
	printf "ratio       mikeyscope is %.1fx the speed of tshark (medians; %.1fx best against best)", t / m, tb / mb
	if (mr != "" && tr != "" && mr > 0) printf ", %.2fx its peak memory", mr / tr
	printf "\n"
}'

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

line() { # name secs rss_kb
	awk -v n="$1" -v s="$2" -v r="$3" -v p="$packets" -v b="$bytes" 'BEGIN {
		if (s <= 0) s = 0.001
		rss = (r == "") ? "n/a" : sprintf("%.1f MB", r / 1024)
		printf "%-11s %9.2f s %12.0f pkt/s %9.1f MB/s   peak RSS %s\n", n, s, p / s, b / 1e6 / s, rss
	}'
}

printf "file        %s (%d packets, %.1f MB)\n" "$file" "$packets" "$(awk -v b="$bytes" 'BEGIN {print b / 1e6}')"

args=(report)
[ -n "$keys" ] && args+=(-keys "$keys")
# shellcheck disable=SC2206
[ -n "${MIKEYSCOPE_ARGS:-}" ] && args+=(${MIKEYSCOPE_ARGS})
args+=("$file")
measure mikeyscope "$bin" "${args[@]}"
m_secs=$secs m_rss=$rss_kb
line mikeyscope "$m_secs" "$m_rss"

tshark_bin=${TSHARK:-$(command -v tshark || true)}
if [ -z "$tshark_bin" ]; then
	echo "tshark      not installed (apt-get install -y tshark); no comparison"
	exit 0
fi
measure tshark "$tshark_bin" -n -r "$file" -Y mikey
t_secs=$secs t_rss=$rss_kb
line tshark "$t_secs" "$t_rss"
awk -v m="$m_secs" -v t="$t_secs" -v mr="$m_rss" -v tr="$t_rss" 'BEGIN {
	if (m <= 0) m = 0.001
	printf "ratio       mikeyscope is %.2fx the speed of tshark", t / m
	if (mr != "" && tr != "" && mr > 0) printf ", %.2fx its peak memory", mr / tr
	printf "\n"
}'

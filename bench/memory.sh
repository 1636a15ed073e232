#!/usr/bin/env bash
# memory.sh CAPTURE...
#
# Peak resident memory of `mikeyscope report`, `report --json` and
# `report --jsonl` on each capture (e.g. bench/gen's short-calls-10000.pcap
# and short-calls-40000.pcap), RUNS times each (default 3), the runs of all
# captures and forms interleaved, under /usr/bin/time -v. Prints per
# capture and form the median and largest peak RSS and the median wall and
# CPU time, then, per form, the ratio of each capture's median peak to the
# first capture's.
#
# Environment: MIKEYSCOPE (a binary; default built from ./cmd/mikeyscope),
# RUNS, MIKEYSCOPE_ARGS (more arguments for every run, e.g. "-keys K").
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 CAPTURE..." >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "$0: needs /usr/bin/time (apt-get install -y time)" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bin=${MIKEYSCOPE:-}
if [ -z "$bin" ]; then
	bin=$work/mikeyscope
	(cd "$root" && go build -o "$bin" ./cmd/mikeyscope)
fi
runs=${RUNS:-3}
forms=("report" "report --json" "report --jsonl")
for r in $(seq "$runs"); do
	for f in "$@"; do
		for i in "${!forms[@]}"; do
			# shellcheck disable=SC2086
			/usr/bin/time -f "%M %e %U %S" -o "$work/t" "$bin" ${forms[$i]} ${MIKEYSCOPE_ARGS:-} "$f" >/dev/null 2>&1 || true
			echo "$(basename "$f") $i $(cat "$work/t")" >>"$work/all"
		done
	done
done
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
printf "%-28s %-16s %12s %12s %8s %8s\n" capture form "median RSS" "max RSS" wall cpu
declare -A first
for f in "$@"; do
	b=$(basename "$f")
	for i in "${!forms[@]}"; do
		rss=$(awk -v b="$b" -v i="$i" '$1 == b && $2 == i {print $3}' "$work/all" | median)
		mx=$(awk -v b="$b" -v i="$i" '$1 == b && $2 == i {print $3}' "$work/all" | sort -n | tail -1)
		wall=$(awk -v b="$b" -v i="$i" '$1 == b && $2 == i {print $4}' "$work/all" | median)
		cpu=$(awk -v b="$b" -v i="$i" '$1 == b && $2 == i {print $5 + $6}' "$work/all" | median)
		ratio=""
		if [ -z "${first[$i]:-}" ]; then first[$i]=$rss; else ratio=$(awk -v a="$rss" -v b="${first[$i]}" 'BEGIN {printf "%.2fx the first", a / b}'); fi
		printf "%-28s %-16s %8.1f MiB %8.1f MiB %7.2fs %7.2fs %s\n" "$b" "${forms[$i]}" "$(awk -v k="$rss" 'BEGIN {print k / 1024}')" "$(awk -v k="$mx" 'BEGIN {print k / 1024}')" "$wall" "$cpu" "$ratio"
	done
done

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
# TUI=1 adds the form "tui": the terminal UI driven headless over the
# capture (bench/tuiheap: the job and the sessions screen on a simulated
# terminal, to the end of the pass, the list scrolled and sorted), for
# which it also prints the median live heap at the end (after GC, the UI
# alive) and its ratio; TUI=only runs that form alone.
#
# Environment: MIKEYSCOPE (a binary; default built from ./cmd/mikeyscope),
# TUIHEAP (a bench/tuiheap binary; default built), RUNS, MIKEYSCOPE_ARGS
# (more arguments for every run, e.g. "-keys K"; tuiheap takes -keys too).
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
case ${TUI:-} in
1) forms+=("tui") ;;
only) forms=("tui") ;;
esac
if [[ " ${forms[*]} " == *" tui "* ]]; then
	tuiheap=${TUIHEAP:-}
	if [ -z "$tuiheap" ]; then
		tuiheap=$work/tuiheap
		(cd "$root" && go build -o "$tuiheap" ./bench/tuiheap)
	fi
fi
for r in $(seq "$runs"); do
	for f in "$@"; do
		for i in "${!forms[@]}"; do
			heap=-
			if [ "${forms[$i]}" = tui ]; then
				# shellcheck disable=SC2086
				/usr/bin/time -f "%M %e %U %S" -o "$work/t" "$tuiheap" ${MIKEYSCOPE_ARGS:-} "$f" >"$work/out" 2>&1 || true
				heap=$(sed -n 's/.*live heap \([0-9.]*\) MiB.*/\1/p' "$work/out")
			else
				# shellcheck disable=SC2086
				/usr/bin/time -f "%M %e %U %S" -o "$work/t" "$bin" ${forms[$i]} ${MIKEYSCOPE_ARGS:-} "$f" >/dev/null 2>&1 || true
			fi
			echo "$(basename "$f") $i $(tail -n 1 "$work/t") ${heap:--}" >>"$work/all"
		done
	done
done
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
printf "%-28s %-16s %12s %12s %8s %8s\n" capture form "median RSS" "max RSS" wall cpu
declare -A first firstheap
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
		if [ "${forms[$i]}" = tui ]; then
			heaps=$(awk -v b="$b" -v i="$i" '$1 == b && $2 == i {print $7}' "$work/all" | tr '\n' ' ')
			heap=$(awk -v b="$b" -v i="$i" '$1 == b && $2 == i && $7 != "-" {print $7}' "$work/all" | median)
			hr=""
			if [ -z "${firstheap[$i]:-}" ]; then firstheap[$i]=$heap; else hr=$(awk -v a="$heap" -v b="${firstheap[$i]}" 'BEGIN {printf "%.2fx the first", a / b}'); fi
			printf "%-28s %-16s live heap: median %s MiB (runs: %s) %s\n" "$b" tui "$heap" "$heaps" "$hr"
		fi
	done
done

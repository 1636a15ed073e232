#!/usr/bin/env bash
# sameout.sh OLD NEW [CAPTURE...]
#
# Compares the reports of two mikeyscope binaries, byte for byte, on every
# bundled sample (with and without its keys) and on the captures given
# (e.g. bench/out/calls.pcap, with its .keys when present): the text report,
# the verbose text report, the JSON report with and without field trees.
# NEW's JSON is asked for with --pretty when it knows the flag (report
# --json became compact, --json --pretty writes the indented document the
# old --json wrote); its compact document is checked to hold the same JSON
# as OLD's; when OLD knows --pretty too, both write the same forms (compact,
# and --tree --pretty) and are compared byte for byte, and so are their JSON
# lines (--jsonl) when both know them. IGNORE (a jq-free sed expression, default none) is applied to
# both outputs first, for fields NEW adds. Prints one line per difference
# and a total; exits 1 when anything differs. Standard error and the exit
# status are compared too, and every keys file of a capture is used
# (NAME.keys and NAME-*.keys beside NAME.pcap).
set -uo pipefail

[ $# -ge 2 ] || { echo "usage: $0 OLD NEW [CAPTURE...]" >&2; exit 2; }
old=$1 new=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pretty=""
case $("$new" report --help 2>&1) in *-pretty*) pretty="--pretty" ;; esac
# When OLD knows --pretty as well, both are asked for the same forms (compact,
# and indented with trees) and compared byte for byte.
modes="text verbose json tree"
case $("$old" report --help 2>&1) in *-pretty*) [ -n "$pretty" ] && { modes="$modes pretty"; pretty=""; } ;; esac
# JSON lines (report --jsonl) too, when both know them.
case $("$old" report --help 2>&1) in *-jsonl*) case $("$new" report --help 2>&1) in *-jsonl*) modes="$modes jsonl" ;; esac ;; esac

files=("$root"/samples/*.pcap* "$root"/samples/*/*.pcap* "$@")
runs=0 diffs=0
compare() { # name: compares $work/old and $work/new
	runs=$((runs + 1))
	if [ -n "${IGNORE:-}" ]; then
		sed -E -i "$IGNORE" "$work/old" "$work/new"
	fi
	if ! cmp -s "$work/old" "$work/new"; then
		diffs=$((diffs + 1))
		echo "DIFFERS: $1"
		diff "$work/old" "$work/new" | head -${DIFFLINES:-6}
	fi
}
for f in "${files[@]}"; do
	[ -r "$f" ] || continue
	base=${f%.pcapng}
	base=${base%.pcap}
	keysets=(/dev/null)
	for k in "$base.keys" "$base"-*.keys; do
		[ -r "$k" ] && keysets+=("$k")
	done
	extra=()
	[ -r "$base.keylog" ] && extra=(--tls-keylog "$base.keylog")
	for k in "${keysets[@]}"; do
		for mode in $modes; do
			case $mode in
			text) a=() b=() ;;
			verbose) a=(-v) b=(-v) ;;
			json) a=(--json) b=(--json $pretty) ;;
			tree) a=(--json --tree) b=(--json --tree $pretty) ;;
			pretty) a=(--json --tree --pretty) b=(--json --tree --pretty) ;;
			jsonl) a=(--jsonl) b=(--jsonl) ;;
			esac
			"$old" report "${a[@]}" -keys "$k" "${extra[@]}" "$f" >"$work/old" 2>"$work/old.err"
			echo "exit $?" >>"$work/old.err"
			"$new" report "${b[@]}" -keys "$k" "${extra[@]}" "$f" >"$work/new" 2>"$work/new.err"
			echo "exit $?" >>"$work/new.err"
			compare "$(basename "$f") keys=$(basename "$k") $mode"
			if ! cmp -s "$work/old.err" "$work/new.err"; then
				diffs=$((diffs + 1))
				echo "DIFFERS: $(basename "$f") keys=$(basename "$k") $mode: stderr or exit status"
				diff "$work/old.err" "$work/new.err" | head -${DIFFLINES:-6}
			fi
			if [ "$mode" = json ] && [ -n "$pretty" ]; then
				"$new" report --json -keys "$k" "${extra[@]}" "$f" >"$work/new" 2>/dev/null
				python3 -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); sys.exit(0 if a==b else 1)' "$work/old" "$work/new" ||
					{ diffs=$((diffs + 1)); echo "DIFFERS: $(basename "$f") keys=$(basename "$k") compact JSON"; }
				runs=$((runs + 1))
			fi
		done
	done
done
echo "$runs comparisons, $diffs differ"
[ $diffs = 0 ]

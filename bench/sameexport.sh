#!/usr/bin/env bash
# sameexport.sh OLD NEW [CAPTURE...]
#
# Compares what two mikeyscope binaries export, byte for byte: for every
# bundled sample with each of its keys files (NAME.keys, NAME-*.keys, and
# NAME.keylog for TLS) and for the captures given (with NAME.keys when
# present), `export --out DIR` is run by both and the two directories
# (decrypted.pcapng, per-stream pcaps, WAVs), the listing each prints, its
# standard error and exit status must be identical. Prints one line per
# difference and a total; exits 1 when anything differs.
set -uo pipefail

[ $# -ge 2 ] || { echo "usage: $0 OLD NEW [CAPTURE...]" >&2; exit 2; }
old=$1 new=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

files=("$root"/samples/*.pcap* "$root"/samples/*/*.pcap* "$@")
runs=0 diffs=0
for f in "${files[@]}"; do
	[ -r "$f" ] || continue
	base=${f%.pcapng}
	base=${base%.pcap}
	extra=()
	[ -r "$base.keylog" ] && extra=(--tls-keylog "$base.keylog")
	keysets=()
	for k in "$base.keys" "$base"-*.keys; do
		[ -r "$k" ] && keysets+=("$k")
	done
	[ ${#keysets[@]} = 0 ] && keysets=(/dev/null)
	for k in "${keysets[@]}"; do
		runs=$((runs + 1))
		rm -rf "$work/old" "$work/new"
		# Run from the work directory so the printed paths are the same.
		(cd "$work" && "$old" export --out old -keys "$k" "${extra[@]}" "$f" >old.out 2>&1; echo "exit $?" >>old.out)
		(cd "$work" && "$new" export --out new -keys "$k" "${extra[@]}" "$f" >new.out 2>&1; echo "exit $?" >>new.out)
		sed -i 's#\bold/#DIR/#g' "$work/old.out"
		sed -i 's#\bnew/#DIR/#g' "$work/new.out"
		name="$(basename "$f") keys=$(basename "$k")"
		if ! cmp -s "$work/old.out" "$work/new.out"; then
			diffs=$((diffs + 1))
			echo "DIFFERS: $name: listing, stderr or exit status"
			diff "$work/old.out" "$work/new.out" | head -${DIFFLINES:-6}
		fi
		if ! diff -r -q "$work/old" "$work/new" >"$work/diff" 2>&1; then
			diffs=$((diffs + 1))
			echo "DIFFERS: $name: exported files"
			head -${DIFFLINES:-6} "$work/diff"
		fi
	done
done
echo "$runs exports, $diffs differ"
[ $diffs = 0 ]

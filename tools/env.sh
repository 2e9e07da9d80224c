# Sourced by the Makefile and CI: puts the project's own tools first, keeps Ape's data inside the project.
ALP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$ALP_ROOT/.tools/bin:$ALP_ROOT/.venv/bin:$PATH"
export SOLCX_BINARY_PATH="$ALP_ROOT/.tools/solcx"
export MPLBACKEND=Agg

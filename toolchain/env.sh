# Environment for this project's toolchain; sourced by the Makefile's recipes and by
# .venv/bin/activate (make setup adds the line). Everything stays inside the repository.
_rwa_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/.." && pwd)"
export PATH="$_rwa_root/toolchain/bin:$_rwa_root/.venv/bin:$PATH"
export SOLCX_BINARY_PATH="$_rwa_root/toolchain/solcx"      # solc-v0.8.28 -> solc-js adapter
export VVM_BINARY_PATH="$_rwa_root/.local/vvm"             # ape-vyper uses the pip vyper on PATH
export APE_DATA_FOLDER="$_rwa_root/.local/ape"             # ape's accounts, caches, logs
export MPLCONFIGDIR="$_rwa_root/.local/matplotlib"         # matplotlib font cache
unset _rwa_root

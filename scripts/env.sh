# Sourced by the other scripts: repository root as working directory, tools on PATH.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# cargo-installed tools (trunk, wasm-bindgen, wasm-bindgen-test-runner) and npm's wasm-opt.
export PATH="$ROOT/node_modules/.bin:${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
# Browser tests: wasm-bindgen-test-runner drives headless Chromium through chromedriver,
# with the capabilities in webdriver.json.
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$ROOT/webdriver.json"
# The runner gives the whole suite 20 s by default, not each test; the suite takes about that
# long on two shared cores, so a busy machine failed it with "might have timed out".
export WASM_BINDGEN_TEST_TIMEOUT="${WASM_BINDGEN_TEST_TIMEOUT:-300}"

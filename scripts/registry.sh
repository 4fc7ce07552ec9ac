#!/usr/bin/env bash
# Starts or stops Debian's docker-registry (CNCF distribution) on 127.0.0.1
# with a generated config.
#   scripts/registry.sh start DIR PORT [--htpasswd FILE] [--tls CERT KEY]
#   scripts/registry.sh stop DIR
set -euo pipefail

usage() {
  echo "usage: $0 start DIR PORT [--htpasswd FILE] [--tls CERT KEY] | stop DIR" >&2
  exit 2
}

cmd=${1:-}
[ -n "$cmd" ] || usage
shift

case "$cmd" in
start)
  [ $# -ge 2 ] || usage
  dir=$1
  port=$2
  shift 2
  htpasswd=""
  cert=""
  key=""
  while [ $# -gt 0 ]; do
    case "$1" in
    --htpasswd)
      [ $# -ge 2 ] || usage
      htpasswd=$(realpath "$2")
      shift 2
      ;;
    --tls)
      [ $# -ge 3 ] || usage
      cert=$(realpath "$2")
      key=$(realpath "$3")
      shift 3
      ;;
    *) usage ;;
    esac
  done
  mkdir -p "$dir/data"
  dir=$(realpath "$dir")
  {
    echo "version: 0.1"
    echo "log:"
    echo "  level: error"
    echo "storage:"
    echo "  filesystem:"
    echo "    rootdirectory: $dir/data"
    echo "  delete:"
    echo "    enabled: true"
    echo "http:"
    echo "  addr: 127.0.0.1:$port"
    if [ -n "$cert" ]; then
      echo "  tls:"
      echo "    certificate: $cert"
      echo "    key: $key"
    fi
    if [ -n "$htpasswd" ]; then
      echo "auth:"
      echo "  htpasswd:"
      echo "    realm: basic-realm"
      echo "    path: $htpasswd"
    fi
  } >"$dir/config.yml"
  nohup docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  echo $! >"$dir/registry.pid"
  scheme=http
  curl_opts=(-s -o /dev/null -w '%{http_code}')
  if [ -n "$cert" ]; then
    scheme=https
    curl_opts+=(-k)
  fi
  for _ in $(seq 1 150); do
    code=$(curl "${curl_opts[@]}" "$scheme://127.0.0.1:$port/v2/" || true)
    if [ "$code" = "200" ] || [ "$code" = "401" ]; then
      echo "registry listening on 127.0.0.1:$port (pid $(cat "$dir/registry.pid"))"
      exit 0
    fi
    if ! kill -0 "$(cat "$dir/registry.pid")" 2>/dev/null; then
      cat "$dir/registry.log" >&2
      echo "registry exited" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "registry did not answer within 15 s" >&2
  exit 1
  ;;
stop)
  [ $# -ge 1 ] || usage
  dir=$1
  if [ -f "$dir/registry.pid" ]; then
    pid=$(cat "$dir/registry.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    rm -f "$dir/registry.pid"
  fi
  ;;
*) usage ;;
esac

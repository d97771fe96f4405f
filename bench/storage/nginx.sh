#!/usr/bin/env bash
# Starts nginx on loopback as the reference for the S3 benchmark: serves GET and accepts WebDAV PUT of
# files in a directory, from the same disk Nimbus stores objects on. nginx does not fsync: it is the
# ceiling a durable PUT is compared with, not an equal.
# usage: bench/storage/nginx.sh start <data-dir> [port=18080]   prints the URL, runs in the background
#        bench/storage/nginx.sh stop  <data-dir>
set -euo pipefail
ACTION="${1:?usage: nginx.sh start|stop <data-dir> [port]}"
DATA="$(mkdir -p "${2:?data directory required}" && cd "$2" && pwd)"
PORT="${3:-18080}"
RUN="$DATA/.nginx"
command -v nginx >/dev/null || { echo "nginx.sh: nginx is needed (apt-get install nginx)" >&2; exit 1; }

case "$ACTION" in
  start)
    mkdir -p "$RUN/body" "$RUN/logs" "$DATA/files"
    # Workers run as the caller (as root nginx would switch to nobody, who cannot write the data directory).
    cat > "$RUN/nginx.conf" <<CONF
user $(id -un) $(id -gn);
worker_processes auto;
pid $RUN/nginx.pid;
error_log $RUN/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path $RUN/body;
  proxy_temp_path $RUN/body;
  fastcgi_temp_path $RUN/body;
  uwsgi_temp_path $RUN/body;
  scgi_temp_path $RUN/body;
  server {
    listen 127.0.0.1:$PORT;
    root $DATA/files;
    client_max_body_size 0;
    client_body_buffer_size 1m;
    location / {
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
}
CONF
    nginx -c "$RUN/nginx.conf" -p "$RUN"
    for _ in $(seq 1 50); do
      curl -fs -o /dev/null -X PUT --data-binary "ok" "http://127.0.0.1:$PORT/.probe" && { echo "http://127.0.0.1:$PORT/"; exit 0; }
      sleep 0.1
    done
    echo "nginx.sh: nginx did not accept a PUT on port $PORT; see $RUN/logs/error.log" >&2
    exit 1
    ;;
  stop)
    [[ -f "$RUN/nginx.pid" ]] && kill "$(cat "$RUN/nginx.pid")" 2>/dev/null || true
    ;;
  *)
    echo "usage: nginx.sh start|stop <data-dir> [port]" >&2
    exit 2
    ;;
esac

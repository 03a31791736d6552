#!/bin/sh
# Adds the broker account to the definitions RabbitMQ imports at boot, then starts the image's own
# entrypoint. The account comes from the environment (compose refuses to start without a password),
# so no password is ever stored in the repository.
set -eu

: "${LUOSHI_RABBITMQ_USER:?LUOSHI_RABBITMQ_USER is not set}"
: "${LUOSHI_RABBITMQ_PASSWORD:?LUOSHI_RABBITMQ_PASSWORD is not set}"
DEFINITIONS_DIR=${LUOSHI_RABBITMQ_DEFINITIONS_DIR:-/etc/rabbitmq/definitions.d}

# JSON string escaping for the two characters that matter (backslash first, then the quote).
json_escape() { printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }
user=$(json_escape "$LUOSHI_RABBITMQ_USER")
password=$(json_escape "$LUOSHI_RABBITMQ_PASSWORD")

mkdir -p "$DEFINITIONS_DIR"
account="$DEFINITIONS_DIR/20-account.json"
umask 077
cat > "$account" <<JSON
{
  "users": [{"name": "$user", "password": "$password", "tags": "administrator"}],
  "permissions": [{"user": "$user", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"}]
}
JSON
if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then
  chown rabbitmq:rabbitmq "$account"
fi
unset LUOSHI_RABBITMQ_PASSWORD password

exec docker-entrypoint.sh "$@"

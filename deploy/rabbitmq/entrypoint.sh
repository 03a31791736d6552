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
# Other platforms' read-only users come from 10-topology.json without a password (they cannot sign in);
# LUOSHI_PLATFORM_PASSWORD_<NAME> gives platform-<name> one (docs/amqp-subscribers.md).
platforms="$DEFINITIONS_DIR/30-platforms.json"
entries=""
for name in $(env | sed -n 's/^LUOSHI_PLATFORM_PASSWORD_\([A-Z0-9]*\)=.*/\1/p'); do
  secret=$(json_escape "$(printenv "LUOSHI_PLATFORM_PASSWORD_$name")")
  lower=$(printf '%s' "$name" | tr 'A-Z' 'a-z')
  entries="$entries${entries:+,}{\"name\": \"platform-$lower\", \"password\": \"$secret\", \"tags\": \"\"}"
  unset "LUOSHI_PLATFORM_PASSWORD_$name"
done
printf '{"users": [%s]}\n' "$entries" > "$platforms"
if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then
  chown rabbitmq:rabbitmq "$account" "$platforms"
fi
unset LUOSHI_RABBITMQ_PASSWORD password secret entries

exec docker-entrypoint.sh "$@"

#!/bin/bash
# A streaming replica of $PRIMARY_HOST on the official postgres image. On first start the data directory
# is cloned with pg_basebackup (-R writes primary_conninfo and standby.signal, -C -S creates a replication
# slot so the primary keeps the WAL the replica still needs); later starts resume streaming from there.
set -euo pipefail
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h "$PRIMARY_HOST" -p 5432 -U replicator -q; do sleep 1; done
  PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup -h "$PRIMARY_HOST" -p 5432 -U replicator \
    -D "$PGDATA" -R -X stream -C -S "${REPLICATION_SLOT:-replica_1}"
  chmod 700 "$PGDATA"
fi
exec postgres

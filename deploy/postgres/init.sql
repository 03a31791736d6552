-- Runs once, when the PostgreSQL data volume is first initialised (docker-entrypoint-initdb.d).
-- One database per service: no service reads another's tables (deploy/compose.yaml points
-- LUOSHI_DATABASE_URL at luoshi_{service}). `luoshi migrate` would also create a missing one.
CREATE DATABASE luoshi_gateway;
CREATE DATABASE luoshi_tasking;
CREATE DATABASE luoshi_supervision;
CREATE DATABASE luoshi_scoring;
CREATE DATABASE luoshi_notification;

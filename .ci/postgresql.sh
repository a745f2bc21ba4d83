# Start a PostgreSQL cluster from Debian's packages and export the URL the tests read
# (CLAUSEGEN_TEST_POSTGRESQL). Sourced by .ci/run, as root.
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
if ! pg_lsclusters -h | awk '{print $1"/"$2}' | grep -qx "$version/main"; then
  pg_createcluster "$version" main >/dev/null
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start || true  # "already running" is fine; checked below
fi
pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
psql_admin() { su postgres -c "psql -p $port -v ON_ERROR_STOP=1 -qtA $*"; }
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_roles WHERE rolname = 'clausegen'\"")" != "1" ]; then
  psql_admin "-c \"CREATE ROLE clausegen LOGIN CREATEDB PASSWORD 'clausegen'\""
fi
if [ "$(psql_admin "-c \"SELECT 1 FROM pg_database WHERE datname = 'clausegen_test'\"")" != "1" ]; then
  psql_admin "-c \"CREATE DATABASE clausegen_test OWNER clausegen\""
fi
export CLAUSEGEN_TEST_POSTGRESQL="postgresql://clausegen:clausegen@127.0.0.1:$port/clausegen_test"
echo "PostgreSQL $version prêt : port $port, base clausegen_test."

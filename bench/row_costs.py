"""What PostgreSQL spends, in CPU, on the pieces of a recorded donation: one round trip, one
donation row (decoded, stored, indexed, its foreign keys checked), and one plain pgbench
INSERT for comparison. Run it after `bash bench/record_donation.sh`, against the database
that run left (its donations are the templates):

    pip install 'psycopg[binary]'
    python3 bench/row_costs.py [DATABASE_URL]

Each figure is the server process's own CPU time (from /proc) divided by the work done, so
it does not depend on how fast this client is. Every write is rolled back.
"""

import datetime
import json
import os
import subprocess
import sys
import time
import uuid

import psycopg

URL = sys.argv[1] if len(sys.argv) > 1 else "host=/var/run/postgresql dbname=dongtou_bench_record user=postgres"
TICK = os.sysconf("SC_CLK_TCK")
ROWS = 16  # a typical batch under load
ROUNDS = 400

conn = psycopg.connect(URL)
backend = conn.execute("SELECT pg_backend_pid()").fetchone()[0]


def cpu_of(pids):
    total = 0
    for pid in pids:
        try:
            fields = open(f"/proc/{pid}/stat").read().split()
        except FileNotFoundError:
            continue
        total += int(fields[13]) + int(fields[14])
    return total / TICK


def backend_cpu():
    return cpu_of([backend])


columns = [r[0] for r in conn.execute(
    "SELECT column_name FROM information_schema.columns "
    "WHERE table_schema = current_schema() AND table_name = 'donations' ORDER BY ordinal_position")]
types = dict(conn.execute(
    "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
    "WHERE attrelid = 'donations'::regclass AND attnum > 0 AND NOT attisdropped").fetchall())
template = conn.execute(
    "SELECT row_to_json(d) FROM donations d WHERE donor_id IS NOT NULL LIMIT 1").fetchone()[0]
listed = ", ".join(columns)


def rows():
    out = []
    for _ in range(ROWS):
        row = dict(template)
        row["id"] = str(uuid.uuid4())
        row["receipt_no"] = "cost-" + uuid.uuid4().hex
        row["verification_code"] = uuid.uuid4().hex[:12]
        out.append(row)
    return out


def per_row(sql, params_of, binary=False):
    start = backend_cpu()
    for _ in range(ROUNDS):
        batch = rows()
        with conn.transaction(force_rollback=True):
            conn.execute(sql, params_of(batch), prepare=True, binary=binary).fetchall()
    return (backend_cpu() - start) / (ROUNDS * ROWS) * 1e6


def as_json(batch):
    return (json.dumps(batch),)


def array_type(column):
    return {"uuid": "uuid[]", "bigint": "int8[]", "integer": "int4[]",
            "timestamp with time zone": "timestamptz[]"}.get(types[column], "text[]")


def typed(column, value):
    if value is None:
        return None
    if types[column] == "uuid":
        return uuid.UUID(value)
    if types[column] == "timestamp with time zone":
        return datetime.datetime.fromisoformat(value)
    return value


def as_arrays(batch):
    return [[typed(c, r[c]) for r in batch] for c in columns]


conn.execute("DROP TABLE IF EXISTS cost_no_fk, cost_bare")
conn.execute("CREATE TABLE cost_no_fk (LIKE donations INCLUDING ALL)")  # indexes, checks; no FKs
conn.execute("CREATE TABLE cost_bare (LIKE donations)")  # nothing but the columns
conn.commit()

populate = f"SELECT {listed} FROM jsonb_populate_recordset(NULL::donations, %s::jsonb)"
populate_json = f"SELECT {listed} FROM json_populate_recordset(NULL::donations, %s::json)"
unnest = (f"SELECT {listed} FROM unnest(" + ", ".join(f"%s::{array_type(c)}" for c in columns)
          + f") AS u ({listed})")
conflict = " ON CONFLICT (org_id, receipt_no) DO NOTHING RETURNING id"
nothing = per_row("SELECT 1 WHERE %s::text IS NOT NULL", as_json)
steps = [
    ("the transaction alone (BEGIN, one statement, ROLLBACK), per row of a 16-row batch", nothing),
    ("+ the rows decoded from one JSON parameter", per_row(f"SELECT count(*) FROM ({populate}) r", as_json)),
    ("+ stored in a table without indexes", per_row(f"INSERT INTO cost_bare ({listed}) {populate} RETURNING id", as_json)),
    ("+ its indexes and 7 checks", per_row(f"INSERT INTO cost_no_fk ({listed}) {populate}{conflict}", as_json)),
    ("+ its 8 foreign keys: the real donations insert", per_row(f"INSERT INTO donations ({listed}) {populate}{conflict}", as_json)),
    ("the same insert from plain json (json_populate_recordset) instead of jsonb", per_row(f"INSERT INTO donations ({listed}) {populate_json}{conflict}", as_json)),
    ("the same insert from typed binary arrays (unnest) instead of JSON", per_row(f"INSERT INTO donations ({listed}) {unnest}{conflict}", as_arrays, binary=True)),
]
conn.execute("DROP TABLE cost_no_fk, cost_bare")
conn.commit()

print(f"{'PostgreSQL CPU per donation row':<90} µs")
for name, micros in steps:
    print(f"{name:<90} {micros:6.1f}")

start = backend_cpu()
for _ in range(ROUNDS * 5):
    conn.execute("SELECT 1 WHERE %s::int > 0", (1,), prepare=True).fetchall()
one = (backend_cpu() - start) / (ROUNDS * 5) * 1e6
print(f"{'one more round trip (a prepared one-row SELECT)':<90} {one:6.1f}")

# pgbench's plain INSERT, 32 clients: the server's CPU per row inserted.
conn.execute("CREATE TABLE IF NOT EXISTS cost_insert (id bigserial PRIMARY KEY, payload text NOT NULL, "
             "created_at timestamptz NOT NULL DEFAULT now())")
conn.commit()
script = "/tmp/row_costs_insert.sql"
open(script, "w").write("INSERT INTO cost_insert (payload) VALUES ('x');\n")
servers = lambda: [int(p) for p in subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout.split()]
dsn = URL  # libpq of pgbench may not know every option psycopg reports back
# Sampled in the middle of the run: the clients' server processes end with it.
load = subprocess.Popen(["pgbench", "-n", "-c", "32", "-j", "2", "-T", "12", "-f", script, dsn],
                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(3)
before_rows = conn.execute("SELECT count(*) FROM cost_insert").fetchone()[0]
before = cpu_of(servers())
time.sleep(6)
inserted = conn.execute("SELECT count(*) FROM cost_insert").fetchone()[0] - before_rows
spent = cpu_of(servers()) - before
load.wait()
conn.execute("DROP TABLE cost_insert")
conn.commit()
print(f"{'a plain pgbench INSERT, 32 clients (commit included)':<90} {spent / inserted * 1e6:6.1f}")

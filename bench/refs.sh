# refs.sh: bench/run's interleaved comparison of our calls with their references (sourced by
# bench/run, which has started the stack): 3 rounds, concurrency 1, 16 and 64, each cell ours
# then its reference, so that the machine's drift hits both alike. Prints the median ratio of
# each workload as
#   RATIO workload=<name> conc=<n> ours_over_ref=<x.xx> ref=<name>
# and the CPU of each server process per call (utime+stime from /proc, in µs), medians too:
#   CPU workload=<name> conc=<n> side=<ours|ref> process=<name> us_per_call=<x>
# References: unic-ref-server (bench/ref_server.cc, C++ callback API, pre-built bytes) for
# Health/Check and GetQuestionnaire, and the same in Python grpcio (bench/ref_server.py) when
# Debian's python3-grpcio is installed; pgbench running the statements a SaveAnswers and a
# GetScorecard cause, on the same rows; GetQuestionnaire of the same round for GetScorecard.

hz=$(getconf CLK_TCK)
results=$state/refs.tsv
: >"$results"

# CPU ticks a process has used; for PostgreSQL, the postmaster with every backend, live or gone
# (the postmaster reaps its backends, so those gone are in its children's times).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pg_ticks() {
  local pm total=0 t
  pm=$(head -1 "$state/pg/data/postmaster.pid")
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for c in $(ps -o pid= --ppid "$pm"); do
    t=$(awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null || echo 0)
    total=$((total + t))
  done
  echo "$total"
}

# measure ROUND SIDE WORKLOAD CONC REFNAME -- unic-load arguments: one cell, its calls/s and the
# CPU per call of the processes named in $procs ("name:pid" or "postgres").
measure() {
  local round=$1 side=$2 workload=$3 conc=$4 ref=$5
  shift 6
  local -A before
  for p in $procs; do
    if [ "$p" = postgres ]; then before[$p]=$(pg_ticks); else before[$p]=$(ticks "${p#*:}"); fi
  done
  local out
  out=$("$build/bench/unic-load" --key "$key" --seconds "$seconds" --concurrency "$conc" \
    --baseline no --raw yes --db-url "$UNIC_DB_URL" "$@")
  sleep 0.2 # backends of a finished client exit and are reaped
  local cps calls
  cps=$(echo "$out" | sed -n 's/.*calls_per_s=\([0-9.]*\).*/\1/p' | tail -1)
  calls=$(echo "$out" | sed -n 's/.* calls=\([0-9]*\).*/\1/p' | tail -1)
  printf 'RUN\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$side" "$workload" "$conc" "$ref" "${cps:-0}" >>"$results"
  for p in $procs; do
    local after
    if [ "$p" = postgres ]; then after=$(pg_ticks); else after=$(ticks "${p#*:}"); fi
    printf 'CPU\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$side" "$workload" "$conc" "${p%%:*}" \
      "$(awk -v d=$((after - ${before[$p]})) -v n="${calls:-0}" -v hz="$hz" \
        'BEGIN { printf "%.1f", (n > 0 ? d * 1e6 / hz / n : 0) }')" >>"$results"
  done
}

# pgbench_cell ROUND WORKLOAD CONC REFNAME SCRIPT: the same, for pgbench (PostgreSQL's CPU).
pgbench_cell() {
  local round=$1 workload=$2 conc=$3 ref=$4 script=$5
  local before after out tps n
  before=$(pg_ticks)
  # pgbench's duration includes opening its connections, which at 64 on a loaded machine took
  # most of a short cell: 2 s more, and tps counts without that time (pgbench says so).
  out=$(/usr/lib/postgresql/15/bin/pgbench -h 127.0.0.1 -p "$UNIC_PG_PORT" -U unic -n -M prepared \
    -c "$conc" -j "$((conc < 2 ? 1 : 2))" -T "$(awk -v s="$seconds" 'BEGIN { print int(s + 2.5) }')" \
    -f "$script" unic 2>&1)
  sleep 0.2
  after=$(pg_ticks)
  tps=$(echo "$out" | awk '/^tps/ {print $3; exit}')
  n=$(echo "$out" | awk '/number of transactions actually processed/ {split($NF, a, "/"); print a[1]}')
  [ -n "$tps" ] || echo "pgbench $workload: $out" >&2
  printf 'RUN\t%s\tref\t%s\t%s\t%s\t%s\n' "$round" "$workload" "$conc" "$ref" "${tps:-0}" >>"$results"
  printf 'CPU\t%s\tref\t%s\t%s\tpostgres\t%s\n' "$round" "$workload" "$conc" \
    "$(awk -v d=$((after - before)) -v n="${n:-0}" -v hz="$hz" \
      'BEGIN { printf "%.1f", (n > 0 ? d * 1e6 / hz / n : 0) }')" >>"$results"
}

# The statements one SaveAnswers of unic-load's save workload runs, in its two round trips
# (services/responses/store.c, store_write: write_open and write_commit; common/db.c's pipelines):
# BEGIN, the transaction's limits, the lock and the locked revision's snapshot; then the head
# update with the revision, the 18 answers and COMMIT. On copies of the assessments that workload
# writes. pgbench cannot \gset inside a pipeline, so the second round trip reads the revision,
# etag and snapshot the first one fetched again by subquery instead of sending them back.
save_sql=$state/pgbench-save.sql
{
  writer="(SELECT id FROM public.bench_writers WHERE client = :client_id)"
  echo '\set lv random(0, 5)'
  echo '\startpipeline'
  echo 'BEGIN;'
  echo "SELECT set_config('statement_timeout', '5000', true) AS st, set_config('lock_timeout', '2000', true) AS lt;"
  echo "SELECT revision FROM responses.assessments WHERE id = $writer FOR NO KEY UPDATE;"
  echo "SELECT a.revision, a.etag, r.snapshot FROM responses.assessments a JOIN responses.revisions r ON r.assessment_id = a.id AND r.revision = a.revision WHERE a.id = $writer;"
  echo '\endpipeline'
  echo '\startpipeline'
  printf '%s' "WITH cur AS (SELECT a.id, a.revision, a.etag, a.visibility, r.snapshot FROM responses.assessments a JOIN responses.revisions r ON r.assessment_id = a.id AND r.revision = a.revision WHERE a.id = $writer),"
  printf '%s' " a AS (UPDATE responses.assessments h SET status = 'DRAFT', visibility = cur.visibility, revision = cur.revision + 1, etag = 'pgbench-' || (cur.revision + 1), completeness = 1, updated_at = now(), submitted_at = NULL, updated_by = 'pgbench' FROM cur WHERE h.id = cur.id AND h.etag = cur.etag RETURNING h.id, h.revision),"
  printf '%s' " r AS (INSERT INTO responses.revisions (assessment_id, revision, created_at, author, action, changed_questions, reason, status, visibility, snapshot) SELECT a.id, a.revision, now(), 'pgbench', 'SAVE', '{q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17,q18}'::text[], '', 'DRAFT', cur.visibility, cur.snapshot FROM a, cur RETURNING 1)"
  printf '%s\n' " SELECT responses.expect_rows((SELECT count(*) FROM r), 1, '40001', 'could not update: its etag changed meanwhile') AS n;"
  levels=$(for i in $(seq 18); do printf '%s(:lv::int + %d) %% 6' "$([ "$i" -gt 1 ] && echo ', ')" "$i"; done)
  nulls=$(printf 'NULL,%.0s' $(seq 17))NULL
  empties=$(printf '"",%.0s' $(seq 17))'""'
  evidence=$(printf '"[]",%.0s' $(seq 17))'"[]"'
  printf '%s\n' "WITH gone AS (DELETE FROM responses.answers WHERE assessment_id = $writer AND question_id = ANY('{}'::text[])) INSERT INTO responses.answers (assessment_id, question_id, level, target_level, yes, date, narrative, evidence, updated_at, updated_by) SELECT $writer, u.question_id, u.level, u.target_level, u.yes, u.date, u.narrative, u.evidence, now(), 'pgbench' FROM unnest('{q1,q2,q3,q4,q5,q6,q7,q8,q9,q10,q11,q12,q13,q14,q15,q16,q17,q18}'::text[], ARRAY[$levels]::smallint[], '{$nulls}'::smallint[], '{$nulls}'::boolean[], '{$nulls}'::date[], '{$empties}'::text[], '{$evidence}'::jsonb[]) AS u(question_id, level, target_level, yes, date, narrative, evidence) ON CONFLICT (assessment_id, question_id) DO UPDATE SET level = EXCLUDED.level, target_level = EXCLUDED.target_level, yes = EXCLUDED.yes, date = EXCLUDED.date, narrative = EXCLUDED.narrative, evidence = EXCLUDED.evidence, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by;"
  echo 'COMMIT;'
  echo '\endpipeline'
} >"$save_sql"

# The statement a GetScorecard by assessment id causes in the responses service (the head with
# its revision's snapshot, services/responses/store.c's SQL_HEAD_SNAPSHOT), on the same copies.
card_sql=$state/pgbench-scorecard.sql
{
  echo 'SELECT a.state_code, a.questionnaire_id, a.visibility, a.status, a.revision, a.etag, r.snapshot FROM responses.assessments a LEFT JOIN responses.revisions r ON r.assessment_id = a.id AND r.revision = a.revision WHERE a.id = (SELECT id FROM public.bench_writers WHERE client = :client_id);'
} >"$card_sql"

# The assessments pgbench client n writes: copies of those unic-load's save workload writes
# (head, current revision, answers), one cycle later, so pgbench writes rows of the same shape
# and size while ours stay as the service left them (pgbench cannot pack a new snapshot).
bench_writers() {
  PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$UNIC_PG_PORT" -U unic -d unic -q \
    -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
CREATE TEMP TABLE src AS
  SELECT a.*, a.state_code || '-' || (a.cycle + 1) || '-' || a.questionnaire_id AS copy_id
  FROM responses.assessments a
  WHERE a.cycle = extract(year FROM now())::int + 1 AND a.questionnaire_id = 'cip-self-assessment';
INSERT INTO responses.assessments (id, state_code, cycle, questionnaire_id, questionnaire_version,
    status, visibility, revision, etag, completeness, created_at, updated_at, submitted_at, updated_by)
  SELECT copy_id, state_code, cycle + 1, questionnaire_id, questionnaire_version, status, visibility,
    revision, etag, completeness, created_at, updated_at, submitted_at, updated_by FROM src
  ON CONFLICT (id) DO NOTHING;
INSERT INTO responses.revisions (assessment_id, revision, created_at, author, action,
    changed_questions, reason, status, visibility, snapshot)
  SELECT s.copy_id, r.revision, r.created_at, r.author, r.action, r.changed_questions, r.reason,
    r.status, r.visibility, r.snapshot
  FROM src s JOIN responses.revisions r ON r.assessment_id = s.id AND r.revision = s.revision
  ON CONFLICT DO NOTHING;
INSERT INTO responses.answers (assessment_id, question_id, level, target_level, yes, date,
    narrative, evidence, updated_at, updated_by)
  SELECT s.copy_id, x.question_id, x.level, x.target_level, x.yes, x.date, x.narrative, x.evidence,
    x.updated_at, x.updated_by
  FROM src s JOIN responses.answers x ON x.assessment_id = s.id
  ON CONFLICT DO NOTHING;
DROP TABLE IF EXISTS public.bench_writers;
CREATE TABLE public.bench_writers AS
  SELECT (row_number() OVER (ORDER BY copy_id) - 1)::int AS client, copy_id AS id FROM src;
ALTER TABLE public.bench_writers ADD PRIMARY KEY (client);
SQL
}

# ref_start VAR PORT COMMAND...: starts a reference server listening on PORT and sets VAR to its
# pid once it answers Health/Check ("" when it never did: its cells are then left out). PORT is
# within Linux's ephemeral range, so another process's outgoing connection may hold it a moment
# (the server then exits: "Address already in use"): tried again, five times at most, as
# bench/run's start does for the services.
ref_start() {
  local var=$1 port=$2 pid
  shift 2
  printf -v "$var" '%s' ""
  for _ in 1 2 3 4 5; do
    "$@" 2>>"$state/ref-$port.log" &
    pid=$!
    for _ in $(seq 50); do
      kill -0 "$pid" 2>/dev/null || break
      if "$build/tools/unic-health" "127.0.0.1:$port" >/dev/null 2>&1; then
        pids+=("$pid")
        printf -v "$var" '%s' "$pid"
        return 0
      fi
      sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    sleep 1
  done
  echo "(the reference server on $port did not come up: see $state/ref-$port.log)"
}

refs_run() {
  local ref_pid=""
  export PGPASSWORD=$UNIC_PG_PASSWORD
  if [ -x "$build/bench/unic-ref-server" ]; then
    "$build/bench/unic-load" --key "$key" --catalog 127.0.0.1:52051 \
      --save-questionnaire "$state/questionnaire.bin"
    ref_start ref_pid 52090 "$build/bench/unic-ref-server" 127.0.0.1:52090 "$state/questionnaire.bin"
  else
    echo "(unic-ref-server not built: install libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev)"
  fi
  local py_pid=""
  if [ -s "$state/questionnaire.bin" ] && /usr/bin/python3 -c 'import grpc' 2>/dev/null; then
    ref_start py_pid 52091 /usr/bin/python3 bench/ref_server.py 127.0.0.1:52091 "$state/questionnaire.bin"
  else
    echo "(no Python reference: install python3-grpcio)"
  fi
  # The save workload's 64 assessments exist before any cell, for pgbench to write the same rows.
  "$build/bench/unic-load" --key "$key" --seconds 0.2 --concurrency 64 --baseline no --raw yes \
    --workloads save --catalog 127.0.0.1:52051 --responses 127.0.0.1:52052 --db-url "$UNIC_DB_URL" >/dev/null
  bench_writers
  local cat=(--catalog 127.0.0.1:52051) ref=(--catalog 127.0.0.1:52090)
  local wr=(--catalog 127.0.0.1:52051 --responses 127.0.0.1:52052)
  # bench/run --workloads limits the cells to those named (health, questionnaire, save,
  # scorecard); the scorecard's reference is the questionnaire of the same round, so it brings it.
  wanted() { [ -z "${refs_workloads:-}" ] || [[ ",$refs_workloads," == *",$1,"* ]] ||
    { [ "$1" = questionnaire ] && wanted scorecard; }; }
  for round in 1 2 3; do
    for c in 1 16 64; do
      for w in health questionnaire; do
        wanted "$w" || continue
        procs="catalog:$pid_catalog" measure "$round" ours "$w" "$c" cpp-callback -- --workloads "$w" "${cat[@]}"
        [ -z "$ref_pid" ] ||
          procs="ref:$ref_pid" measure "$round" ref "$w" "$c" cpp-callback -- --workloads "$w" "${ref[@]}"
        [ -z "$py_pid" ] ||
          procs="pyref:$py_pid" measure "$round" ref "$w" "$c" python-grpcio -- --workloads "$w" --catalog 127.0.0.1:52091
      done
      if wanted save; then
        procs="responses:$pid_responses postgres" measure "$round" ours save "$c" pgbench-same-statements -- --workloads save "${wr[@]}"
        pgbench_cell "$round" save "$c" pgbench-same-statements "$save_sql"
      fi
      if wanted scorecard; then
        procs="scoring:$pid_scoring responses:$pid_responses catalog:$pid_catalog redis:$(cat "$state/redis.pid") postgres" \
          measure "$round" ours scorecard "$c" questionnaire -- --workloads scorecard "${wr[@]}" --scoring 127.0.0.1:52053
        pgbench_cell "$round" scorecard "$c" pgbench-same-statements "$card_sql"
      fi
    done
  done
  python3 - "$results" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(dict)   # (workload, conc, round) -> "ours" or "ref:<name>" -> calls/s
refname = {}
cpu = collections.defaultdict(list)    # (workload, conc, side, process) -> [us per call]
for line in open(sys.argv[1]):
    f = line.rstrip("\n").split("\t")
    if f[0] == "RUN":
        _, rnd, side, w, c, ref, cps = f
        if not cps or float(cps) == 0:
            continue  # a cell that made no call (its error is printed above)
        runs[(w, int(c), rnd)]["ours" if side == "ours" else "ref:" + ref] = float(cps)
        if side == "ours":
            refname[w] = ref
    elif f[0] == "CPU":
        _, rnd, side, w, c, proc, us = f
        if us:
            cpu[(w, int(c), side, proc)].append(float(us))
ratios = collections.defaultdict(list)  # (workload, conc, reference) -> [ours / reference]
for (w, c, rnd), sides in runs.items():
    ours = sides.get("ours")
    if ours is None:
        continue
    if refname.get(w) == "questionnaire":  # against our own GetQuestionnaire of the same round
        ref = runs.get(("questionnaire", c, rnd), {}).get("ours")
        if ref:
            ratios[(w, c, "questionnaire")].append(ours / ref)
    for side, ref in sides.items():
        if side.startswith("ref:"):
            ratios[(w, c, side[4:])].append(ours / ref)
for (w, c, ref) in sorted(ratios):
    print("RATIO workload=%s conc=%d ours_over_ref=%.2f ref=%s" % (w, c, statistics.median(ratios[(w, c, ref)]), ref))
for (w, c, side, proc) in sorted(cpu):
    print("CPU workload=%s conc=%d side=%s process=%s us_per_call=%.0f" % (w, c, side, proc, statistics.median(cpu[(w, c, side, proc)])))
PY
}

# ---- worker counts and memory (bench/run --sweep) ----

# rss_kb PID: "kb=<RSS> pss_kb=<PSS> private_kb=<private>". RSS counts every page of the shared
# libraries the process has touched (libgrpc, libcrypto, libc...: about 18 MB of each service's
# RSS), which the five processes of a host share; PSS divides each shared page among the
# processes mapping it; private is the memory only this process holds (its heap, stacks and
# written data), what another replica would add.
rss_kb() {
  awk '/^Rss:/ {r=$2} /^Pss:/ {p=$2} /^Private_(Clean|Dirty):/ {v+=$2}
       END {printf "kb=%d pss_kb=%d private_kb=%d", r, p, v}' "/proc/$1/smaps_rollup"
}

# sweep_run: each service restarted with 1, 2, 4, 8 and 16 workers (UNIC_WORKERS) and its
# workload measured at concurrency 16 and 64, so the defaults come from a measurement:
#   SWEEP service=<name> workers=<n> conc=<c> calls_per_s=<x>
sweep_run() {
  local svc port workload var pid
  for spec in catalog:52051:questionnaire:pid_catalog responses:52052:save:pid_responses \
              scoring:52053:scorecard:pid_scoring; do
    IFS=: read -r svc port workload var <<<"$spec"
    for n in 1 2 4 8 16; do
      pid=${!var}
      kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
      start "$svc" "$port" UNIC_WORKERS=$n
      printf -v "$var" '%s' "${pids[-1]}"
      for c in 16 64; do
        local out
        out=$("$build/bench/unic-load" --key "$key" --seconds "$seconds" --concurrency "$c" \
          --baseline no --raw yes --db-url "$UNIC_DB_URL" --workloads "$workload" \
          --catalog 127.0.0.1:52051 --responses 127.0.0.1:52052 --scoring 127.0.0.1:52053)
        echo "SWEEP service=$svc workers=$n conc=$c calls_per_s=$(echo "$out" |
          sed -n 's/.*calls_per_s=\([0-9.]*\).*/\1/p' | tail -1) (load $(cut -d' ' -f1 /proc/loadavg))"
      done
    done
  done
}

# rss_run: every service's resident memory idle, then the catalog's and the responses
# service's every 10 s through 60 s of their workload at concurrency 64:
#   RSS service=<name> when=idle|<s>s kb=<rss> pss_kb=<pss> private_kb=<private>
rss_run() {
  for spec in catalog:$pid_catalog responses:$pid_responses scoring:$pid_scoring \
              matching:$pid_matching gateway:$pid_gateway; do
    echo "RSS service=${spec%%:*} when=idle $(rss_kb "${spec#*:}")"
  done
  for spec in catalog:questionnaire:$pid_catalog responses:save:$pid_responses; do
    IFS=: read -r svc workload pid <<<"$spec"
    "$build/bench/unic-load" --key "$key" --seconds 60 --concurrency 64 --baseline no --raw yes \
      --db-url "$UNIC_DB_URL" --workloads "$workload" --catalog 127.0.0.1:52051 \
      --responses 127.0.0.1:52052 >/dev/null &
    local load=$!
    for s in 0 10 20 30 40 50 60; do
      echo "RSS service=$svc when=${s}s $(rss_kb "$pid")"
      [ "$s" = 60 ] || sleep 10
    done
    wait "$load"
  done
}

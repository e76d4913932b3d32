//! The scenarios: each sets up its own servers, breaks something, and checks what survived.

use std::{collections::HashSet, time::Duration};

use serde_json::json;

use crate::env::*;

const RECORD: &str =
    "mutation($i: RecordDonationInput!) { recordDonation(input: $i) { replayed donation { id } } }";

fn donation(project: &str, receipt: &str) -> serde_json::Value {
    json!({
        "idempotencyKey": format!("key-{receipt}"),
        "projectId": project,
        "donor": { "resident": { "phone": "13800000001" } },
        "kind": "MONEY",
        "amount": "10.00",
        "channel": "ONLINE",
        "donatedAt": "2026-03-01T02:00:00Z",
        "receiptNo": receipt,
    })
}

/// A seeded private database and the project the federation's staff log donations to.
async fn seeded(pg: &PrivatePostgres) -> String {
    pg.psql("postgres", "CREATE DATABASE dongtou");
    let url = pg.url("dongtou");
    api_run(&url, &["migrate"]);
    api_run(&url, &["seed"]);
    url
}

async fn federation_project(api: &ApiProcess, token: &str) -> String {
    let v = api
        .gql(
            Some(token),
            "{ me { account { org { projects(first: 1) { edges { node { id } } } } } } }",
            json!({}),
        )
        .await
        .unwrap();
    v["data"]["me"]["account"]["org"]["projects"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_postgres_restart_loses_no_acknowledged_donation_and_retries_never_double_count() {
    if !available() {
        return;
    }
    let pg = std::sync::Arc::new(PrivatePostgres::start());
    let url = seeded(&pg).await;
    let api = std::sync::Arc::new(ApiProcess::start(&url, None).await);
    let token = api.login("13900000001").await;
    let project = federation_project(&api, &token).await;

    let mut acknowledged = Vec::new();
    let mut to_retry = Vec::new();
    let mut unexpected = Vec::new();
    let total = 240;
    let mut restart = None;
    // Eight requests in flight at a time; the restart lands in the middle of the stream.
    for chunk in (0..total).collect::<Vec<_>>().chunks(8) {
        if chunk[0] == 80 {
            let pg = pg.clone();
            restart = Some(tokio::task::spawn_blocking(move || pg.restart()));
        }
        let calls = chunk.iter().map(|i| {
            let (api, token, project) = (api.clone(), token.clone(), project.clone());
            let receipt = format!("FAULT-{i:05}");
            async move {
                let sent = json!({ "i": donation(&project, &receipt) });
                (receipt, api.gql(Some(&token), RECORD, sent).await)
            }
        });
        for (receipt, result) in futures::future::join_all(calls).await {
            match result {
                Ok(v) if v["errors"].is_null() => acknowledged.push(receipt),
                Ok(v) => {
                    let code = v["errors"][0]["extensions"]["code"].as_str().unwrap_or("");
                    if code == "UNAVAILABLE" {
                        to_retry.push(receipt);
                    } else {
                        unexpected.push((receipt, v.to_string()));
                    }
                }
                Err(e) => unexpected.push((receipt, e)),
            }
        }
    }
    restart.expect("the restart ran").await.unwrap();
    assert!(
        unexpected.is_empty(),
        "non-retryable failures: {unexpected:?}"
    );
    // Retrying with the same idempotency key is always safe.
    let mut retried = 0;
    for receipt in &to_retry {
        let mut done = false;
        for _ in 0..50 {
            let v = api
                .gql(
                    Some(&token),
                    RECORD,
                    json!({ "i": donation(&project, receipt) }),
                )
                .await
                .unwrap();
            if v["errors"].is_null() {
                done = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        assert!(done, "{receipt} never succeeded on retry");
        retried += 1;
    }
    let stored: HashSet<String> = pg
        .psql(
            "dongtou",
            "SELECT receipt_no FROM donations WHERE receipt_no LIKE 'FAULT-%'",
        )
        .lines()
        .map(str::to_owned)
        .collect();
    let duplicates = pg.psql(
        "dongtou",
        "SELECT COUNT(*) FROM (SELECT receipt_no FROM donations GROUP BY org_id, receipt_no HAVING COUNT(*) > 1) d",
    );
    for receipt in acknowledged.iter().chain(&to_retry) {
        assert!(
            stored.contains(receipt),
            "{receipt} acknowledged but not stored"
        );
    }
    assert_eq!(duplicates, "0");
    assert_eq!(stored.len(), total);
    api_run(&url, &["verify", "ledger"]);
    println!(
        "postgres restart: {total} sent, {} acknowledged at once, {} failed as UNAVAILABLE and retried, {} stored, 0 duplicates",
        acknowledged.len(),
        retried,
        stored.len()
    );
}

#[tokio::test]
async fn killing_the_process_mid_import_leaves_all_rows_or_none() {
    if !available() {
        return;
    }
    let pg = PrivatePostgres::start();
    let url = seeded(&pg).await;
    let rows = 50_000;
    let file = tempfile::NamedTempFile::new().unwrap();
    let mut csv = String::from(
        "receipt_no,org,donor_type,donor_phone,donor_enterprise,walk_in_name,kind,amount_yuan,goods_description,goods_quantity,project,campaign,channel,funding_source,donated_at,visibility\n",
    );
    for i in 0..rows {
        csv.push_str(&format!(
            "KILL-{i:06},洞头区慈善总会,RESIDENT,13800000001,,,MONEY,10.00,,,海岛学子助学,,ONLINE,PUBLIC,2026-03-01 10:00,MASKED\n"
        ));
    }
    std::fs::write(file.path(), csv).unwrap();
    let mut child = api_command(&url, None)
        .args([
            "import",
            "donations",
            file.path().to_str().unwrap(),
            "--as",
            "13900000001",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the import is writing (rows appear inside its open transaction as locks).
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let finished_before_kill = child.try_wait().unwrap().is_some();
    let _ = child.kill(); // SIGKILL
    let _ = child.wait();
    let count: usize = pg
        .psql(
            "dongtou",
            "SELECT COUNT(*) FROM donations WHERE receipt_no LIKE 'KILL-%'",
        )
        .parse()
        .unwrap();
    assert!(
        count == 0 || count == rows,
        "half an import survived: {count} rows"
    );
    api_run(&url, &["verify", "ledger"]);
    println!(
        "SIGKILL during a {rows}-row import: {count} rows stored ({})",
        if finished_before_kill {
            "it had finished"
        } else {
            "killed mid-way"
        }
    );
}

#[tokio::test]
async fn two_processes_on_one_database_agree_once_a_write_is_acknowledged() {
    if !available() {
        return;
    }
    let pg = PrivatePostgres::start();
    let redis = PrivateRedis::start();
    let url = seeded(&pg).await;
    let writer = ApiProcess::start(&url, Some(&redis.url())).await;
    let reader = ApiProcess::start(&url, Some(&redis.url())).await;
    let staff = writer.login("13900000001").await;
    let project = federation_project(&writer, &staff).await;
    let resident = reader.login("13800000001").await;
    let balance = |v: &serde_json::Value| v["data"]["myCredits"]["balance"].as_i64().unwrap();
    // The resident's own total on the all-time board, in fen.
    let on_board = |v: &serde_json::Value| -> i64 {
        let amount = v["data"]["leaderboard"]["myRank"]["amount"]
            .as_str()
            .unwrap_or_else(|| panic!("no rank: {v}"));
        let (yuan, fen) = amount.split_once('.').unwrap();
        yuan.parse::<i64>().unwrap() * 100 + fen.parse::<i64>().unwrap()
    };
    const MINE: &str = "{ myCredits { balance } leaderboard(board: RESIDENTS, period: ALL_TIME, first: 1) { myRank { amount } } }";
    let mut checks = 0;
    for i in 0..20 {
        let seen = reader.gql(Some(&resident), MINE, json!({})).await.unwrap();
        let (before, board_before) = (balance(&seen), on_board(&seen));
        let receipt = format!("TWO-{i:03}");
        let v = writer
            .gql(
                Some(&staff),
                RECORD,
                json!({ "i": donation(&project, &receipt) }),
            )
            .await
            .unwrap();
        assert!(v["errors"].is_null(), "{v}");
        let seen = reader.gql(Some(&resident), MINE, json!({})).await.unwrap();
        assert_eq!(
            balance(&seen),
            before + 2,
            "the other process saw the credits at once"
        );
        assert_eq!(
            on_board(&seen),
            board_before + 1_000,
            "the other process's board counted the donation at once"
        );
        checks += 1;
    }
    println!(
        "two processes: {checks} writes on one, each read back at once on the other (credits and the board)"
    );
    drop(redis);
}

#[tokio::test]
async fn a_backup_restores_into_a_scratch_database_with_a_consistent_ledger() {
    if !available() {
        return;
    }
    let pg = PrivatePostgres::start();
    let url = seeded(&pg).await;
    let dump = tempfile::NamedTempFile::new().unwrap();
    let out = std::process::Command::new("pg_dump")
        .args([
            "--format=custom",
            "--no-owner",
            "--file",
            dump.path().to_str().unwrap(),
            &url,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pg_dump: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    pg.psql("postgres", "CREATE DATABASE restore_check");
    let out = std::process::Command::new("pg_restore")
        .args([
            "--no-owner",
            "--dbname",
            &pg.url("restore_check"),
            dump.path().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pg_restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let count = |db: &str| {
        pg.psql(
            db,
            "SELECT COUNT(*) || '/' || COALESCE(SUM(amount_fen), 0) FROM donations",
        )
    };
    assert_eq!(count("dongtou"), count("restore_check"));
    api_run(&pg.url("restore_check"), &["verify", "ledger"]);
    let api = ApiProcess::start(&pg.url("restore_check"), None).await;
    api.login("13800000001").await;
    println!(
        "backup and restore: donations {} identical; ledger verified; restored copy serves logins",
        count("restore_check")
    );
}

const BOARD: &str = "{ leaderboard(board: RESIDENTS, period: ALL_TIME, first: 10) { source entryCount entries { rank amount } } }";

/// What the mixed workload saw in one phase.
#[derive(Default, Debug)]
struct Seen {
    writes_acknowledged: usize,
    reads_from_cache: usize,
    reads_from_database: usize,
    errors: Vec<String>,
}

/// Writes and reads side by side for `how_long`: every write must be acknowledged and every
/// read answered (from the cache or, degraded, from the database) without an error.
async fn mixed_load(
    api: &ApiProcess,
    staff: &str,
    resident: &str,
    project: &str,
    tag: &str,
    how_long: Duration,
) -> Seen {
    let mut seen = Seen::default();
    let deadline = tokio::time::Instant::now() + how_long;
    let mut n = 0;
    while tokio::time::Instant::now() < deadline {
        let receipt = format!("REDIS-{tag}-{n:04}");
        n += 1;
        let write = api.gql(
            Some(staff),
            RECORD,
            json!({ "i": donation(project, &receipt) }),
        );
        let board = api.gql(None, BOARD, json!({}));
        let mine = api.gql(Some(resident), "{ myCredits { balance } }", json!({}));
        let (write, board, mine) = futures::join!(write, board, mine);
        match write {
            Ok(v) if v["errors"].is_null() => seen.writes_acknowledged += 1,
            other => seen.errors.push(format!("write {receipt}: {other:?}")),
        }
        match board {
            Ok(v) if v["errors"].is_null() => match v["data"]["leaderboard"]["source"].as_str() {
                Some("CACHE") => seen.reads_from_cache += 1,
                Some("DATABASE") => seen.reads_from_database += 1,
                _ => seen.errors.push(format!("board: {v}")),
            },
            other => seen.errors.push(format!("board: {other:?}")),
        }
        match mine {
            Ok(v) if v["errors"].is_null() => {}
            other => seen.errors.push(format!("credits: {other:?}")),
        }
    }
    seen
}

#[tokio::test]
async fn redis_stopped_then_restarted_empty_under_load_heals_by_itself() {
    if !available() {
        return;
    }
    let pg = PrivatePostgres::start();
    let mut redis = PrivateRedis::start();
    let url = seeded(&pg).await;
    let api =
        ApiProcess::start_with(&url, Some(&redis.url()), &[("RANKING_RECONCILE_SECS", "1")]).await;
    let staff = api.login("13900000001").await;
    let resident = api.login("13800000001").await;
    let project = federation_project(&api, &staff).await;
    let out = api_try(&url, &redis.url(), &["leaderboard", "rebuild"]);
    assert!(out.status.success(), "{out:?}");

    let phase = Duration::from_secs(3);
    let before = mixed_load(&api, &staff, &resident, &project, "up", phase).await;
    redis.stop();
    let down = mixed_load(&api, &staff, &resident, &project, "down", phase).await;
    // A Redis without persistence comes back empty: the same as a FLUSHALL.
    redis.restart();
    let back = mixed_load(&api, &staff, &resident, &project, "back", phase).await;
    for (name, seen) in [("up", &before), ("down", &down), ("back", &back)] {
        assert!(seen.errors.is_empty(), "{name}: {:?}", seen.errors);
        println!(
            "redis {name}: {} writes acknowledged, {} board reads from the cache, {} from the database, 0 errors",
            seen.writes_acknowledged, seen.reads_from_cache, seen.reads_from_database
        );
    }
    assert!(before.reads_from_cache > 0, "the board was cached before");
    assert_eq!(
        down.reads_from_cache, 0,
        "with Redis stopped every answer is marked DATABASE"
    );
    assert!(down.reads_from_database > 0);

    // Nobody runs `rebuild` and nobody reads: the processes' own upkeep restores every set.
    let started = std::time::Instant::now();
    let healed = loop {
        let out = api_try(&url, &redis.url(), &["leaderboard", "verify"]);
        if out.status.success() {
            break started.elapsed();
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the sets never matched the database: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let v = api.gql(None, BOARD, json!({})).await.unwrap();
    assert_eq!(v["data"]["leaderboard"]["source"], "CACHE", "{v}");
    let acknowledged =
        before.writes_acknowledged + down.writes_acknowledged + back.writes_acknowledged;
    let stored = pg.psql(
        "dongtou",
        "SELECT COUNT(*) FROM donations WHERE receipt_no LIKE 'REDIS-%'",
    );
    assert_eq!(stored, acknowledged.to_string());
    api_run(&url, &["verify", "ledger"]);
    println!(
        "redis recovery: {acknowledged} donations acknowledged and stored; every ranking set equal to the database {:.1} s after the run, with no manual step",
        healed.as_secs_f64()
    );
}

#[tokio::test]
async fn a_replica_started_while_redis_is_down_serves_and_takes_redis_up_when_it_returns() {
    if !available() {
        return;
    }
    let pg = PrivatePostgres::start();
    let mut redis = PrivateRedis::start();
    let url = seeded(&pg).await;
    redis.stop();
    let api =
        ApiProcess::start_with(&url, Some(&redis.url()), &[("RANKING_RECONCILE_SECS", "1")]).await;

    let ready = reqwest::get(format!("{}/readyz", api.base)).await.unwrap();
    assert_eq!(ready.status(), 200, "a lost cache does not fail readiness");
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["cache"], "down", "{ready}");

    let staff = api.login("13900000001").await;
    let project = federation_project(&api, &staff).await;
    let v = api
        .gql(
            Some(&staff),
            RECORD,
            json!({ "i": donation(&project, "LAZY-0001") }),
        )
        .await
        .unwrap();
    assert!(
        v["errors"].is_null(),
        "a donation is taken with Redis down: {v}"
    );
    let v = api.gql(None, BOARD, json!({})).await.unwrap();
    assert!(v["errors"].is_null(), "{v}");
    assert_eq!(v["data"]["leaderboard"]["source"], "DATABASE", "{v}");

    redis.restart();
    let started = std::time::Instant::now();
    loop {
        let v = api.gql(None, BOARD, json!({})).await.unwrap();
        if v["data"]["leaderboard"]["source"] == "CACHE" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the replica never took Redis up: {v}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let ready: serde_json::Value = reqwest::get(format!("{}/readyz", api.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ready["cache"], "up", "{ready}");
    println!(
        "started with Redis down: ready, writes taken, the board from the database; Redis taken up {:.1} s after it returned",
        started.elapsed().as_secs_f64()
    );
}

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
    let balance = |v: serde_json::Value| v["data"]["myCredits"]["balance"].as_i64().unwrap();
    let mut checks = 0;
    for i in 0..20 {
        let before = balance(
            reader
                .gql(Some(&resident), "{ myCredits { balance } }", json!({}))
                .await
                .unwrap(),
        );
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
        let after = balance(
            reader
                .gql(Some(&resident), "{ myCredits { balance } }", json!({}))
                .await
                .unwrap(),
        );
        assert_eq!(after, before + 2, "the other process saw the write at once");
        checks += 1;
    }
    println!("two processes: {checks} writes on one, each read back at once on the other");
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

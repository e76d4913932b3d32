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

/// One GraphQL POST through `base` (the balancer); `Err` only for transport failures.
async fn gql_via(
    client: &reqwest::Client,
    base: &str,
    token: Option<&str>,
    query: &str,
    variables: serde_json::Value,
) -> serde_json::Value {
    let mut request = client
        .post(format!("{base}/graphql"))
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap().json().await.unwrap()
}

fn code(v: &serde_json::Value) -> Option<&str> {
    v["errors"][0]["extensions"]["code"].as_str()
}

const METRICS_TOKEN: &str = "fault-metrics-token-fault-metrics";

/// How many requests to `route` this process has answered (its Prometheus counter).
async fn served(api: &ApiProcess, route: &str) -> u64 {
    let text = reqwest::Client::new()
        .get(format!("{}/metrics", api.base))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let label = format!("route=\"{route}\"");
    text.lines()
        .filter(|l| l.starts_with("http_requests_total{") && l.contains(&label))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum::<f64>() as u64
}

/// A client whose requests come from `ip` (a loopback address), as another phone would.
fn client_from(ip: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[tokio::test]
async fn two_replicas_behind_one_balancer_behave_as_one_service() {
    if !available() {
        return;
    }
    let pg = PrivatePostgres::start();
    let redis = PrivateRedis::start();
    let url = seeded(&pg).await;
    // The default per-client limits (the other scenarios lift them).
    let settings = [
        ("TRUSTED_PROXIES", "1"),
        ("RANKING_RECONCILE_SECS", "1"),
        ("RATE_LIMIT_IP_PER_SEC", "50"),
        ("RATE_LIMIT_IP_BURST", "200"),
        ("RATE_LIMIT_ACCOUNT_PER_SEC", "20"),
        ("RATE_LIMIT_ACCOUNT_BURST", "100"),
        ("METRICS_TOKEN", METRICS_TOKEN),
    ];
    let one = ApiProcess::start_with(&url, Some(&redis.url()), &settings).await;
    let two = ApiProcess::start_with(&url, Some(&redis.url()), &settings).await;
    let Some(balancer) = Balancer::start(&[&one, &two]) else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "haproxy is not installed (tests/run-all.sh installs it)"
        );
        println!("SKIPPED: haproxy is not installed");
        return;
    };
    let lb = balancer.base.as_str();
    let phone = client_from([127, 0, 0, 1]);

    // Login lockout: 60 guesses at once, spread over both replicas, check at most 5 passwords.
    let guesses = (0..60).map(|_| {
        gql_via(
            &phone,
            lb,
            None,
            "mutation { login(phone: \"13900000003\", password: \"Wrong@2026\") { accessToken } }",
            json!({}),
        )
    });
    let answers = futures::future::join_all(guesses).await;
    let checked = answers
        .iter()
        .filter(|v| code(v) == Some("UNAUTHENTICATED"))
        .count();
    let refused = answers
        .iter()
        .filter(|v| code(v) == Some("RATE_LIMITED"))
        .count();
    assert!(
        checked <= 5,
        "{checked} passwords checked across two replicas"
    );
    assert_eq!(checked + refused, 60, "{answers:?}");
    let right = gql_via(
        &phone,
        lb,
        None,
        "mutation { login(phone: \"13900000003\", password: \"Demo@2026\") { accessToken } }",
        json!({}),
    )
    .await;
    assert_eq!(
        code(&right),
        Some("RATE_LIMITED"),
        "locked on every replica: {right}"
    );
    let (on_one, on_two) = (
        served(&one, "/graphql").await,
        served(&two, "/graphql").await,
    );
    assert!(
        on_one >= 20 && on_two >= 20,
        "the balancer spread the guesses over both replicas: {on_one} / {on_two}"
    );

    let login = |phone_no: &'static str| {
        let phone = phone.clone();
        async move {
            let v = gql_via(
                &phone,
                lb,
                None,
                "mutation($p: String!) { login(phone: $p, password: \"Demo@2026\") { accessToken } }",
                json!({ "p": phone_no }),
            )
            .await;
            v["data"]["login"]["accessToken"]
                .as_str()
                .unwrap_or_else(|| panic!("login: {v}"))
                .to_owned()
        }
    };
    let staff = login("13900000001").await;
    let admin = login("13900000000").await;
    let resident = login("13800000001").await;
    let project = federation_project(&one, &staff).await;
    const MINE: &str = "{ leaderboard(board: RESIDENTS, period: ALL_TIME, first: 3) { myRank { amount } entries { rank amount } } }";
    let fen = |v: &serde_json::Value| -> i64 {
        let amount = v["data"]["leaderboard"]["myRank"]["amount"]
            .as_str()
            .unwrap_or_else(|| panic!("no rank: {v}"));
        let (yuan, fen) = amount.split_once('.').unwrap();
        yuan.parse::<i64>().unwrap() * 100 + fen.parse::<i64>().unwrap()
    };
    let board_before = fen(&gql_via(&phone, lb, Some(&resident), MINE, json!({})).await);

    // Idempotency: one key sent 20 times at once, to both replicas, is one donation.
    let same = (0..20).map(|_| {
        gql_via(
            &phone,
            lb,
            Some(&staff),
            RECORD,
            json!({ "i": donation(&project, "LB-SAME") }),
        )
    });
    let answers = futures::future::join_all(same).await;
    let ids: HashSet<&str> = answers
        .iter()
        .filter_map(|v| v["data"]["recordDonation"]["donation"]["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    let fresh = answers
        .iter()
        .filter(|v| v["data"]["recordDonation"]["replayed"] == false)
        .count();
    assert_eq!(fresh, 1, "exactly one answer is the write itself");
    assert!(
        answers
            .iter()
            .all(|v| v["errors"].is_null() || code(v) == Some("CONFLICT")),
        "{answers:?}"
    );

    // Group commit on both replicas at once: 100 donations, each acknowledged once, all stored.
    let many = (0..100).map(|i| {
        gql_via(
            &phone,
            lb,
            Some(&staff),
            RECORD,
            json!({ "i": donation(&project, &format!("LB-{i:03}")) }),
        )
    });
    let answers = futures::future::join_all(many).await;
    let failed: Vec<_> = answers.iter().filter(|v| !v["errors"].is_null()).collect();
    assert!(failed.is_empty(), "{failed:?}");
    let stored = pg.psql(
        "dongtou",
        "SELECT COUNT(*) FROM donations WHERE receipt_no LIKE 'LB-%'",
    );
    assert_eq!(stored, "101");
    api_run(&url, &["verify", "ledger"]);

    // The ranking: every replica answers the same board, with every donation on it.
    let mut seen = HashSet::new();
    for _ in 0..6 {
        let v = gql_via(&phone, lb, Some(&resident), MINE, json!({})).await;
        assert_eq!(fen(&v), board_before + 101 * 1_000, "{v}");
        seen.insert(v["data"]["leaderboard"]["entries"].to_string());
    }
    assert_eq!(seen.len(), 1, "both replicas show one board: {seen:?}");

    // Subscriptions: a post published through one replica reaches sockets on both.
    let ws_url = format!("{}/graphql/ws", lb.replacen("http", "ws", 1));
    let mut sockets = Vec::new();
    for _ in 0..2 {
        sockets.push(subscribe_to_broadcasts(&ws_url).await);
    }
    assert_eq!(
        (
            served(&one, "/graphql/ws").await,
            served(&two, "/graphql/ws").await
        ),
        (1, 1),
        "one socket on each replica"
    );
    tokio::time::sleep(Duration::from_millis(1_000)).await;
    let posted = gql_via(
        &phone,
        lb,
        Some(&staff),
        "mutation { postBroadcast(input: { kind: STORY, title: \"两个副本\", body: \"同一条消息\" }) { id } }",
        json!({}),
    )
    .await;
    let id = posted["data"]["postBroadcast"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{posted}"))
        .to_owned();
    let published = gql_via(
        &phone,
        lb,
        Some(&admin),
        "mutation($id: ID!) { publishBroadcast(id: $id) { id } }",
        json!({ "id": id }),
    )
    .await;
    assert!(published["errors"].is_null(), "{published}");
    for ws in &mut sockets {
        let message = next_message(ws).await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(
            message["payload"]["data"]["broadcastPublished"]["id"], id,
            "{message}"
        );
    }

    // Rate limits are per replica and per client: a flood from one phone is cut off (at most
    // the burst plus the refill on each replica; anonymous GraphQL meets the per-principal
    // limit, 100 + 20/s, first), and another phone is not affected by it.
    let flood = client_from([127, 0, 0, 9]);
    let started = std::time::Instant::now();
    let mut accepted = 0;
    let mut limited = 0;
    for chunk in 0..20 {
        let burst = (0..50).map(|_| {
            flood
                .post(format!("{lb}/graphql"))
                .json(&json!({ "query": "{ __typename }" }))
                .send()
        });
        for response in futures::future::join_all(burst).await {
            match response.unwrap().status().as_u16() {
                200 => accepted += 1,
                429 => limited += 1,
                other => panic!("flood request {chunk}: status {other}"),
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let allowed = 2.0 * (100.0 + 20.0 * elapsed) + 2.0;
    assert!(limited > 0, "a flood of 1,000 requests was not limited");
    assert!(
        f64::from(accepted) <= allowed,
        "{accepted} accepted in {elapsed:.1} s; two replicas allow at most {allowed:.0}"
    );
    let other = client_from([127, 0, 0, 10])
        .post(format!("{lb}/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        200,
        "another phone is not limited by the flood"
    );
    println!(
        "two replicas behind haproxy: {checked} of 60 parallel guesses checked, then locked; 20 sends of one key = 1 donation; 100 concurrent donations all stored; one board on both; a broadcast reached sockets on both; a flood got {accepted} of 1,000 through in {elapsed:.1} s ({limited} limited), another phone unaffected"
    );
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn subscribe_to_broadcasts(url: &str) -> Socket {
    use futures::SinkExt;
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    ws.send(Message::Text(
        json!({ "type": "connection_init", "payload": {} })
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    assert_eq!(next_message(&mut ws).await["type"], "connection_ack");
    ws.send(Message::Text(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { broadcastPublished { id } }" } })
            .to_string()
            .into(),
    ))
    .await
    .unwrap();
    ws
}

async fn next_message(ws: &mut Socket) -> serde_json::Value {
    use futures::StreamExt;
    use tokio_tungstenite::tungstenite::Message;
    loop {
        let message = tokio::time::timeout(Duration::from_secs(15), ws.next())
            .await
            .expect("a message within 15 s")
            .expect("the socket is open")
            .unwrap();
        match message {
            Message::Text(text) => return serde_json::from_str(text.as_str()).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

async fn readiness(api: &ApiProcess) -> serde_json::Value {
    reqwest::get(format!("{}/readyz", api.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The board until it answers from the cache (the API has taken the cache up).
async fn until_cached(api: &ApiProcess, within: Duration) -> Duration {
    let started = std::time::Instant::now();
    loop {
        let v = api.gql(None, BOARD, json!({})).await.unwrap();
        assert!(v["errors"].is_null(), "{v}");
        if v["data"]["leaderboard"]["source"] == "CACHE" {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "the board never came from the cache: {v}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// `api leaderboard verify` until the sets equal the database.
async fn until_verified(database_url: &str, env: &[(&str, &str)], within: Duration) -> Duration {
    let started = std::time::Instant::now();
    loop {
        let out = api_command(database_url, None)
            .envs(env.iter().copied())
            .args(["leaderboard", "verify"])
            .output()
            .unwrap();
        if out.status.success() {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "the sets never matched the database: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[tokio::test]
async fn redis_over_tls_carries_the_cache_and_an_unknown_authority_is_refused() {
    if !available() {
        return;
    }
    let pg = PrivatePostgres::start();
    let certs = TestCertificates::make();
    let redis = PrivateRedis::start_tls(&certs);
    let url = seeded(&pg).await;
    let redis_url = format!("rediss://127.0.0.1:{}", redis.port);
    let ca = certs.ca_cert.display().to_string();
    let with_ca = [
        ("REDIS_URL", redis_url.as_str()),
        ("REDIS_TLS_CA_FILE", ca.as_str()),
    ];

    let api = ApiProcess::start_with(&url, None, &with_ca).await;
    assert_eq!(readiness(&api).await["cache"], "up");
    let staff = api.login("13900000001").await;
    let project = federation_project(&api, &staff).await;
    let v = api
        .gql(
            Some(&staff),
            RECORD,
            json!({ "i": donation(&project, "TLS-0001") }),
        )
        .await
        .unwrap();
    assert!(v["errors"].is_null(), "{v}");
    let rebuilt = api_command(&url, None)
        .envs(with_ca)
        .args(["leaderboard", "rebuild"])
        .output()
        .unwrap();
    assert!(rebuilt.status.success(), "{rebuilt:?}");
    until_cached(&api, Duration::from_secs(10)).await;
    until_verified(&url, &with_ca, Duration::from_secs(10)).await;

    // The keys are on the TLS server: read them back over TLS with the same authority.
    let keys = std::process::Command::new("redis-cli")
        .args([
            "--tls",
            "--cacert",
            &ca,
            "-p",
            &redis.port.to_string(),
            "DBSIZE",
        ])
        .output()
        .unwrap();
    let keys: u64 = String::from_utf8_lossy(&keys.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    assert!(keys > 0, "nothing was written to the TLS Redis");

    // Without the authority the certificate is not trusted: no cache, the board from the
    // database, and the service still ready.
    let untrusting = ApiProcess::start_with(&url, None, &[("REDIS_URL", redis_url.as_str())]).await;
    let ready = readiness(&untrusting).await;
    assert_eq!(ready["cache"], "down", "{ready}");
    let v = untrusting.gql(None, BOARD, json!({})).await.unwrap();
    assert_eq!(v["data"]["leaderboard"]["source"], "DATABASE", "{v}");
    println!(
        "TLS: cache up over rediss:// with the private authority ({keys} keys written); refused without it, the board then from the database"
    );
}

#[tokio::test]
async fn a_sentinel_failover_mid_load_loses_nothing_and_the_boards_follow_the_new_master() {
    if !available() {
        return;
    }
    let pg = PrivatePostgres::start();
    let mut group = SentinelGroup::start();
    let url = seeded(&pg).await;
    let sentinel_url = group.url();
    let via_sentinels = [("REDIS_URL", sentinel_url.as_str())];
    let api = ApiProcess::start_with(
        &url,
        None,
        &[
            ("REDIS_URL", sentinel_url.as_str()),
            ("RANKING_RECONCILE_SECS", "1"),
        ],
    )
    .await;
    let staff = api.login("13900000001").await;
    let resident = api.login("13800000001").await;
    let project = federation_project(&api, &staff).await;
    let rebuilt = api_command(&url, None)
        .envs(via_sentinels)
        .args(["leaderboard", "rebuild"])
        .output()
        .unwrap();
    assert!(rebuilt.status.success(), "{rebuilt:?}");
    assert_eq!(group.master_port(), group.master.port);

    let before = mixed_load(
        &api,
        &staff,
        &resident,
        &project,
        "up",
        Duration::from_secs(3),
    )
    .await;
    // The master dies mid-load; the sentinels promote the replica.
    group.master.stop();
    let killed = std::time::Instant::now();
    let sentinels = group.url();
    let replica_port = group.replica.port;
    // When the sentinels named the replica master, watched beside the load.
    let promotion = tokio::task::spawn_blocking(move || {
        while SentinelGroup::master_port_at(&sentinels) != replica_port {
            assert!(
                killed.elapsed() < Duration::from_secs(30),
                "the sentinels never promoted the replica"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        killed.elapsed()
    });
    let during = mixed_load(
        &api,
        &staff,
        &resident,
        &project,
        "failover",
        Duration::from_secs(6),
    )
    .await;
    let promoted = promotion.await.unwrap();
    // The old master returns (empty, as a master); the sentinels turn it into a replica. The
    // API must stay with the new master.
    group.master.restart();
    let after = mixed_load(
        &api,
        &staff,
        &resident,
        &project,
        "after",
        Duration::from_secs(4),
    )
    .await;
    for (name, seen) in [("up", &before), ("failover", &during), ("after", &after)] {
        assert!(seen.errors.is_empty(), "{name}: {:?}", seen.errors);
        println!(
            "sentinel {name}: {} writes acknowledged, {} board reads from the cache, {} from the database, 0 errors",
            seen.writes_acknowledged, seen.reads_from_cache, seen.reads_from_database
        );
    }
    assert!(before.reads_from_cache > 0, "the board was cached before");
    let back = until_cached(&api, Duration::from_secs(30)).await;
    let healed = until_verified(&url, &via_sentinels, Duration::from_secs(60)).await;
    assert_eq!(readiness(&api).await["cache"], "up");

    let acknowledged =
        before.writes_acknowledged + during.writes_acknowledged + after.writes_acknowledged;
    let stored = pg.psql(
        "dongtou",
        "SELECT COUNT(*) FROM donations WHERE receipt_no LIKE 'REDIS-%'",
    );
    assert_eq!(stored, acknowledged.to_string());
    api_run(&url, &["verify", "ledger"]);
    // The sets live on the new master: it holds the keys, and the board's upkeep writes there.
    let keys = std::process::Command::new("redis-cli")
        .args(["-p", &group.replica.port.to_string(), "DBSIZE"])
        .output()
        .unwrap();
    let keys: u64 = String::from_utf8_lossy(&keys.stdout)
        .trim()
        .parse()
        .unwrap_or(0);
    assert!(keys > 0, "the new master holds no keys");
    println!(
        "sentinel failover: replica promoted {:.1} s after the master died; {acknowledged} donations acknowledged and stored; board from the cache again {:.1} s after the failover phase; sets equal to the database {:.1} s later",
        promoted.as_secs_f64(),
        back.as_secs_f64(),
        healed.as_secs_f64()
    );
}

#[tokio::test]
async fn readiness_answers_at_once_while_every_pooled_connection_waits_on_a_lock() {
    if !available() {
        return;
    }
    let pg = PrivatePostgres::start();
    let url = seeded(&pg).await;
    let api = ApiProcess::start_with(
        &url,
        None,
        &[
            ("DB_MAX_CONNECTIONS", "2"),
            ("DB_ACQUIRE_TIMEOUT_MS", "10000"),
        ],
    )
    .await;
    let resident = api.login("13800000001").await;
    assert_eq!(readiness(&api).await["database"], "up");

    // A session holds the donors table; every credits read then holds a connection, waiting.
    let mut lock = std::process::Command::new("psql")
        .args([&pg.url("dongtou"), "-q"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let stdin = lock.stdin.as_mut().unwrap();
        writeln!(stdin, "BEGIN; LOCK TABLE donors IN ACCESS EXCLUSIVE MODE;").unwrap();
        stdin.flush().unwrap();
    }
    while pg.psql(
        "dongtou",
        "SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation \
         WHERE c.relname = 'donors' AND l.mode = 'AccessExclusiveLock' AND l.granted",
    ) != "1"
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let waiting = futures::future::join_all(
        (0..6).map(|_| api.gql(Some(&resident), "{ myCredits { balance } }", json!({}))),
    );
    let check = async {
        // Both pooled connections are now stuck behind the lock.
        while pg.psql(
            "dongtou",
            "SELECT COUNT(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
        ) != "2"
        {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let asked = std::time::Instant::now();
        let ready = reqwest::get(format!("{}/readyz", api.base)).await.unwrap();
        let took = asked.elapsed();
        let status = ready.status();
        let ready: serde_json::Value = ready.json().await.unwrap();
        {
            use std::io::Write;
            let stdin = lock.stdin.as_mut().unwrap();
            writeln!(stdin, "ROLLBACK;").unwrap();
        }
        drop(lock.stdin.take());
        lock.wait().unwrap();
        (status, ready, took)
    };
    let (answers, (status, ready, took)) = tokio::join!(waiting, check);
    assert_eq!(status, 200, "a busy pool is not a lost database");
    assert_eq!(ready["database"], "busy", "{ready}");
    assert!(
        took < Duration::from_secs(2),
        "readiness waited {took:?} behind the pool"
    );
    for answer in answers {
        let answer = answer.unwrap();
        assert!(answer["errors"].is_null(), "{answer}");
    }
    assert_eq!(readiness(&api).await["database"], "up");
    // A database that is gone is a failed readiness, however idle the pool.
    pg.stop();
    let gone = reqwest::get(format!("{}/readyz", api.base)).await.unwrap();
    assert_eq!(gone.status(), 503);
    let gone: serde_json::Value = gone.json().await.unwrap();
    assert_eq!(gone["database"], "down", "{gone}");
    println!(
        "readiness with both pooled connections waiting on a lock: 200, database busy, in {} ms",
        took.as_millis()
    );
}

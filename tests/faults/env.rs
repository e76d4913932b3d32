//! Private servers and API processes for the fault scenarios.

use std::{
    net::TcpListener,
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{Value, json};

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn pg_bin(tool: &str) -> PathBuf {
    let base = Path::new("/usr/lib/postgresql");
    let mut versions: Vec<PathBuf> = std::fs::read_dir(base)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    versions.sort();
    versions
        .last()
        .map(|v| v.join("bin").join(tool))
        .unwrap_or_else(|| PathBuf::from(tool))
}

fn run_as_postgres(program: &Path, args: &[&str]) -> std::process::Output {
    // initdb and pg_ctl refuse to run as root; the machine's postgres user runs them.
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let mut cmd = if is_root {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).output().expect("run a PostgreSQL tool")
}

/// A PostgreSQL server of our own on a free port, so restarting it disturbs no other test.
pub struct PrivatePostgres {
    dir: tempfile::TempDir,
    pub port: u16,
}

impl PrivatePostgres {
    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let _ = Command::new("chown")
            .args(["postgres", dir.path().to_str().unwrap()])
            .status();
        let data = dir.path().join("data");
        let out = run_as_postgres(
            &pg_bin("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let pg = Self {
            dir,
            port: free_port(),
        };
        pg.ctl("start");
        pg
    }

    fn ctl(&self, action: &str) {
        let data = self.dir.path().join("data");
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.dir.path().display()
        );
        let log = self.dir.path().join("log");
        let out = run_as_postgres(
            &pg_bin("pg_ctl"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &options,
                "-l",
                log.to_str().unwrap(),
                "-m",
                "fast",
                "-w",
                action,
            ],
        );
        assert!(
            out.status.success(),
            "pg_ctl {action}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn restart(&self) {
        self.ctl("restart");
    }

    pub fn stop(&self) {
        self.ctl("stop");
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }

    pub fn psql(&self, db: &str, sql: &str) -> String {
        let out = Command::new("psql")
            .args([&self.url(db), "-Atc", sql])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = run_as_postgres(
            &pg_bin("pg_ctl"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
        );
    }
}

/// A Redis server of our own.
pub struct PrivateRedis {
    child: Child,
    pub port: u16,
    /// Besides the port: what it was started with (a replica's master, TLS files).
    extra: Vec<String>,
}

impl PrivateRedis {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Started with these arguments too (e.g. `--replicaof 127.0.0.1 PORT`).
    pub fn start_with(extra: &[&str]) -> Self {
        Self::start_on(free_port(), extra.iter().map(|a| a.to_string()).collect())
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn restart(&mut self) {
        self.stop();
        *self = Self::start_on(self.port, std::mem::take(&mut self.extra));
    }

    fn start_on(port: u16, extra: Vec<String>) -> Self {
        // With TLS on, the plain port is off and the given `--tls-port` is this port.
        let tls = extra.iter().any(|a| a == "--tls-port");
        let plain_port = if tls { 0 } else { port };
        let mut args = vec![
            "--port".to_owned(),
            plain_port.to_string(),
            "--bind".to_owned(),
            "127.0.0.1".to_owned(),
            "--save".to_owned(),
            String::new(),
            "--appendonly".to_owned(),
            "no".to_owned(),
        ];
        args.extend(extra.iter().cloned());
        if tls {
            args.push(port.to_string());
        }
        let child = Command::new("redis-server")
            .args(&args)
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server");
        wait_for_port(port);
        Self { child, port, extra }
    }

    /// Redis speaking only TLS, with a certificate for 127.0.0.1 from a private authority.
    pub fn start_tls(certs: &TestCertificates) -> Self {
        let files = [
            ("--tls-cert-file", &certs.server_cert),
            ("--tls-key-file", &certs.server_key),
            ("--tls-ca-cert-file", &certs.ca_cert),
        ];
        let mut extra: Vec<String> = files
            .iter()
            .flat_map(|(flag, path)| [flag.to_string(), path.display().to_string()])
            .collect();
        extra.extend(["--tls-auth-clients".to_owned(), "no".to_owned()]);
        // The port goes last (see start_on).
        extra.push("--tls-port".to_owned());
        Self::start_on(free_port(), extra)
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A private certificate authority and a server certificate it signed for 127.0.0.1, made
/// with the machine's `openssl`.
pub struct TestCertificates {
    _dir: tempfile::TempDir,
    pub ca_cert: PathBuf,
    pub server_cert: PathBuf,
    pub server_key: PathBuf,
}

impl TestCertificates {
    pub fn make() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name);
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(dir.path())
                .output()
                .expect("openssl");
            assert!(out.status.success(), "openssl {args:?}: {out:?}");
        };
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=dongtou test CA",
            "-keyout",
            "ca.key",
            "-out",
            "ca.crt",
        ]);
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=127.0.0.1",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
        ]);
        std::fs::write(at("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "san.ext",
            "-out",
            "server.crt",
        ]);
        Self {
            ca_cert: at("ca.crt"),
            server_cert: at("server.crt"),
            server_key: at("server.key"),
            _dir: dir,
        }
    }
}

/// A master, its replica and three sentinels watching them as service `dongtou` (quorum 2,
/// a master unanswered for 1 s is down).
pub struct SentinelGroup {
    pub master: PrivateRedis,
    pub replica: PrivateRedis,
    sentinels: Vec<Child>,
    sentinel_ports: Vec<u16>,
    _dir: tempfile::TempDir,
}

impl SentinelGroup {
    pub fn start() -> Self {
        let master = PrivateRedis::start();
        let replica =
            PrivateRedis::start_with(&["--replicaof", "127.0.0.1", &master.port.to_string()]);
        let dir = tempfile::tempdir().unwrap();
        let mut sentinels = Vec::new();
        let mut sentinel_ports = Vec::new();
        for i in 0..3 {
            let port = free_port();
            // Sentinel rewrites its configuration file, so each gets its own.
            let conf = dir.path().join(format!("sentinel-{i}.conf"));
            std::fs::write(
                &conf,
                format!(
                    "port {port}\nbind 127.0.0.1\n\
                     sentinel monitor dongtou 127.0.0.1 {} 2\n\
                     sentinel down-after-milliseconds dongtou 1000\n\
                     sentinel failover-timeout dongtou 5000\n\
                     sentinel parallel-syncs dongtou 1\n",
                    master.port
                ),
            )
            .unwrap();
            let child = Command::new("redis-server")
                .arg(&conf)
                .arg("--sentinel")
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server --sentinel");
            wait_for_port(port);
            sentinels.push(child);
            sentinel_ports.push(port);
        }
        Self {
            master,
            replica,
            sentinels,
            sentinel_ports,
            _dir: dir,
        }
    }

    /// The URL the API is given.
    pub fn url(&self) -> String {
        let hosts: Vec<String> = self
            .sentinel_ports
            .iter()
            .map(|p| format!("127.0.0.1:{p}"))
            .collect();
        format!("redis+sentinel://{}/dongtou", hosts.join(","))
    }

    /// The port of the server the first sentinel calls master now.
    pub fn master_port(&self) -> u16 {
        Self::master_port_at(&self.url())
    }

    /// The same, given the group's URL (from another thread).
    pub fn master_port_at(url: &str) -> u16 {
        let first = url
            .trim_start_matches("redis+sentinel://")
            .split([',', '/'])
            .next()
            .and_then(|host| host.rsplit_once(':'))
            .map(|(_, port)| port.to_owned())
            .unwrap_or_default();
        let out = Command::new("redis-cli")
            .args(["-p", &first])
            .args(["SENTINEL", "get-master-addr-by-name", "dongtou"])
            .output()
            .expect("redis-cli");
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .nth(1)
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for SentinelGroup {
    fn drop(&mut self) {
        for child in &mut self.sentinels {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "port {port} never opened");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The `api` binary next to this test binary (target/<profile>/api).
pub fn api_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().unwrap().parent().unwrap();
    let bin = profile_dir.join("api");
    assert!(
        bin.exists(),
        "build the api binary first: cargo build -p api ({})",
        bin.display()
    );
    bin
}

pub fn api_command(database_url: &str, redis_url: Option<&str>) -> Command {
    let mut cmd = Command::new(api_binary());
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("JWT_SECRET", "fault-secret-fault-secret-fault-secret-123")
        .env(
            "SEEDS_DIR",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../seeds"),
        )
        .env("RUST_LOG", "warn")
        .env("LOG_FORMAT", "json")
        .env("DB_ACQUIRE_TIMEOUT_MS", "1000")
        .env("RATE_LIMIT_IP_PER_SEC", "100000")
        .env("RATE_LIMIT_IP_BURST", "100000")
        .env("RATE_LIMIT_ACCOUNT_PER_SEC", "100000")
        .env("RATE_LIMIT_ACCOUNT_BURST", "100000");
    if let Some(url) = redis_url {
        cmd.env("REDIS_URL", url);
    }
    cmd
}

/// Run an `api` subcommand against a Redis too, returning its output whatever the exit.
pub fn api_try(database_url: &str, redis_url: &str, args: &[&str]) -> std::process::Output {
    api_command(database_url, Some(redis_url))
        .args(args)
        .output()
        .unwrap()
}

/// Run an `api` subcommand to completion.
pub fn api_run(database_url: &str, args: &[&str]) -> std::process::Output {
    let out = api_command(database_url, None).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "api {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A running `api serve`, killed on drop.
pub struct ApiProcess {
    child: Child,
    pub base: String,
    client: reqwest::Client,
}

impl ApiProcess {
    pub async fn start(database_url: &str, redis_url: Option<&str>) -> Self {
        Self::start_with(database_url, redis_url, &[]).await
    }

    /// Start with extra environment variables (settings the scenario needs).
    pub async fn start_with(
        database_url: &str,
        redis_url: Option<&str>,
        env: &[(&str, &str)],
    ) -> Self {
        let port = free_port();
        // FAULT_LOG_DIR=dir keeps each process's log (at info) for a failing scenario.
        let (log, log_too) = match std::env::var_os("FAULT_LOG_DIR") {
            Some(dir) => {
                let file =
                    std::fs::File::create(Path::new(&dir).join(format!("api-{port}.log"))).unwrap();
                (Stdio::from(file.try_clone().unwrap()), Stdio::from(file))
            }
            None => (Stdio::null(), Stdio::null()),
        };
        let mut command = api_command(database_url, redis_url);
        if std::env::var_os("FAULT_LOG_DIR").is_some() {
            command.env("RUST_LOG", "info");
        }
        let child = command
            .envs(env.iter().copied())
            .env("PORT", port.to_string())
            .env("HOST", "127.0.0.1")
            .arg("serve")
            .stdout(log_too)
            .stderr(log)
            .spawn()
            .unwrap();
        let api = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(20))
                .build()
                .unwrap(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if api
                .client
                .get(format!("{}/healthz", api.base))
                .send()
                .await
                .is_ok()
            {
                break;
            }
            assert!(Instant::now() < deadline, "api never came up");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        api
    }

    /// POST a GraphQL request; `Err` only for transport failures.
    pub async fn gql(
        &self,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> Result<Value, String> {
        let mut req = self
            .client
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().await.map_err(|e| e.to_string())?;
        resp.json().await.map_err(|e| e.to_string())
    }

    pub async fn login(&self, phone: &str) -> String {
        let v = self
            .gql(
                None,
                "mutation($p: String!) { login(phone: $p, password: \"Demo@2026\") { accessToken } }",
                json!({ "p": phone }),
            )
            .await
            .unwrap();
        v["data"]["login"]["accessToken"]
            .as_str()
            .unwrap_or_else(|| panic!("login: {v}"))
            .to_owned()
    }
}

impl Drop for ApiProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Whether this machine can run the scenarios (PostgreSQL binaries and redis-server).
pub fn available() -> bool {
    let ok = pg_bin("initdb").exists()
        && Command::new("redis-server")
            .arg("--version")
            .output()
            .is_ok();
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "the fault suite needs PostgreSQL server binaries and redis-server"
        );
        eprintln!("SKIPPED: the fault suite needs PostgreSQL server binaries and redis-server");
    }
    ok
}

/// HAProxy from the machine (Debian's package) in front of API processes: one address,
/// requests and WebSockets spread round-robin, the client's address passed on in
/// `X-Forwarded-For` as a deployment's balancer does.
pub struct Balancer {
    child: Child,
    _config: tempfile::TempDir,
    pub base: String,
}

impl Balancer {
    /// `None` when HAProxy is not installed (tests/run-all.sh installs it).
    pub fn start(backends: &[&ApiProcess]) -> Option<Self> {
        Command::new("haproxy").arg("-v").output().ok()?;
        let port = free_port();
        let servers: String = backends
            .iter()
            .enumerate()
            .map(|(i, api)| {
                let address = api.base.trim_start_matches("http://");
                format!("  server api{i} {address} check inter 1s\n")
            })
            .collect();
        let config = format!(
            "global\n  maxconn 4096\n\
             defaults\n  mode http\n  timeout connect 2s\n  timeout client 30s\n  timeout server 30s\n  timeout tunnel 1h\n  option forwardfor\n\
             frontend api\n  bind 127.0.0.1:{port}\n  default_backend replicas\n\
             backend replicas\n  balance roundrobin\n  option httpchk GET /readyz\n{servers}"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("haproxy.cfg");
        std::fs::write(&path, config).unwrap();
        let child = Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy");
        wait_for_port(port);
        Some(Self {
            child,
            _config: dir,
            base: format!("http://127.0.0.1:{port}"),
        })
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! Builds the phone app into the binary: an optimised build (`--release`, `--profile deploy`)
//! runs the client's own build (npm ci when its packages are missing or stale, vite build,
//! precompression) into `$OUT_DIR/client`, which `http::client` embeds, so one binary serves the
//! whole product. Cargo reruns this only when the client's sources change.
//!
//! Debug builds (the test suites, clippy) skip it: the app is served from a directory there.
//! `BUILD_PHONE_APP=1` forces the client build, `BUILD_PHONE_APP=0` skips it. Without Node.js
//! the build still succeeds, with a warning, and the binary's `/` says how to get the app.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::{env, fs};

/// What the client's build reads: a change to any of them rebuilds the app.
const CLIENT_INPUTS: &[&str] = &[
    "src",
    "public",
    "scripts",
    "index.html",
    "package.json",
    "package-lock.json",
    "vite.config.ts",
    "tsconfig.json",
    "tsconfig.app.json",
];

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let client = manifest.join("../mobile-client");
    let out = PathBuf::from(env::var("OUT_DIR").expect("set by cargo")).join("client");
    for input in CLIENT_INPUTS {
        println!("cargo:rerun-if-changed={}", client.join(input).display());
    }
    println!("cargo:rerun-if-env-changed=BUILD_PHONE_APP");

    let optimised = env::var("PROFILE").is_ok_and(|p| p == "release");
    let wanted = match env::var("BUILD_PHONE_APP").as_deref() {
        Ok("1") => true,
        Ok("0") => false,
        _ => optimised,
    };
    // The embed reads this directory in every build, so it always exists (empty: no app).
    let _ = fs::remove_dir_all(&out);
    fs::create_dir_all(&out).expect("OUT_DIR is writable");
    if !wanted {
        return;
    }
    if let Err(why) = build_client(&client, &out) {
        let _ = fs::remove_dir_all(&out);
        fs::create_dir_all(&out).expect("OUT_DIR is writable");
        println!(
            "cargo:warning=the phone app is not in this binary ({why}); `/` will say how to build it"
        );
    }
}

fn build_client(client: &Path, out: &Path) -> Result<(), String> {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let npx = if cfg!(windows) { "npx.cmd" } else { "npx" };
    run(Command::new(npm).arg("--version").current_dir(client))
        .map_err(|_| "Node.js and npm were not found".to_owned())?;
    if packages_stale(client) {
        run(Command::new(npm)
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(client))?;
    }
    // PHONE_APP_EMBED keeps vite from writing into src/ (its component declarations): a write
    // there would trip the rerun-if-changed above and rebuild the binary on every cargo run.
    run(Command::new(npx)
        .args(["vite", "build", "--emptyOutDir", "--outDir"])
        .arg(out)
        .env("PHONE_APP_EMBED", "1")
        .current_dir(client))?;
    run(Command::new("node")
        .arg("scripts/compress-dist.mjs")
        .arg(out)
        .current_dir(client))?;
    if !out.join("index.html").is_file() {
        return Err("vite wrote no index.html".into());
    }
    Ok(())
}

/// npm records what it installed in node_modules/.package-lock.json; older than the lock file
/// (or missing) means the packages do not match it.
fn packages_stale(client: &Path) -> bool {
    let modified = |p: PathBuf| fs::metadata(p).and_then(|m| m.modified()).ok();
    match (
        modified(client.join("node_modules/.package-lock.json")),
        modified(client.join("package-lock.json")),
    ) {
        (Some(installed), Some(locked)) => installed < locked,
        _ => true,
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let shown = format!("{command:?}");
    // The client's output goes to cargo's build log; only failure is shown as a warning.
    let output = command
        .output()
        .map_err(|e| format!("{shown} did not start: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        Err(format!(
            "{shown} failed: {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        ))
    }
}

//! The `api` binary: parse the command line, start telemetry, run the chosen subcommand.

use clap::Parser;

// Many small allocations per request (parsed queries, JSON, rows): glibc's malloc cost ~20 %
// of the API's CPU under the recordDonation load; mimalloc's thread-local pages avoid most of it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = api::cli::Cli::parse();
    api::telemetry::init(&cli.settings.log_format);
    api::cli::run(cli).await
}

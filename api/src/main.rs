//! The `api` binary: parse the command line, start telemetry, run the chosen subcommand.

use clap::Parser;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = api::cli::Cli::parse();
    api::telemetry::init(&cli.settings.log_format);
    api::cli::run(cli).await
}

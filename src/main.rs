//! The `liner` binary: reads the command line, sets up logging, runs the command
//! (`cli`) and prints what it says. Everything else lives in the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;
use cli::args::{Cli, LogFormat};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => match tracing_subscriber::EnvFilter::try_new(&v) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: RUST_LOG={v:?}: {e} (such as RUST_LOG=info or RUST_LOG=liner_load=debug)");
                return ExitCode::from(2);
            }
        },
        _ => tracing_subscriber::EnvFilter::new("warn"),
    };
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(liner::runs::progress::LogWriter);
    match cli.log_format {
        // Colours on a terminal only: a log file or a pipe gets plain text.
        LogFormat::Human => logs.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).init(),
        LogFormat::Json => logs.json().with_current_span(false).init(),
    }
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    match runtime.block_on(cli::run(cli)) {
        Ok(said) => {
            print!("{said}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

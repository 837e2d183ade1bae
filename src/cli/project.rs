//! `liner init` and `liner config`: the project and its configuration.

use std::fmt::Write;
use std::path::Path;

use super::{Ctx, Output};

pub fn init(dir: &Path) -> anyhow::Result<Output> {
    let done = liner::commands::init::run(dir)?;
    let mut out = String::new();
    for f in &done.files {
        writeln!(out, "wrote {}", f.display())?;
    }
    writeln!(
        out,
        "\nNext: set MusicBrainz's user_agent and any secrets in {}, then\n  cd {} && liner config validate && liner follow \"Some Artist\"",
        dir.join(".env").display(),
        dir.display()
    )?;
    Ok(Box::new(out))
}

/// The effective configuration, with where it came from.
pub fn show(ctx: &Ctx) -> anyhow::Result<Output> {
    let cfg = ctx.load()?;
    let from = match &cfg.file {
        Some(f) => format!("# from {} and LINER_* environment variables\n", f.display()),
        None => "# defaults and LINER_* environment variables (no liner.toml here)\n".to_string(),
    };
    Ok(Box::new(from + &cfg.show()?))
}

pub fn validate(ctx: &Ctx) -> anyhow::Result<Output> {
    let cfg = ctx.checked()?;
    Ok(Box::new(format!("configuration ok{}\n", cfg.file.map(|f| format!(": {}", f.display())).unwrap_or_default())))
}

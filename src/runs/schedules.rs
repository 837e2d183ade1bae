//! Schedules: `schedules/<name>.toml`, each a cron expression and the pipeline steps
//! to run. `liner run <name>` runs one now.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use liner_extract::Provider;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    pub name: String,
    /// Five fields (minute hour day month weekday), or six with seconds first.
    pub cron: String,
    #[serde(default = "utc")]
    pub timezone: String,
    pub steps: Vec<String>,
    #[serde(default)]
    pub options: ScheduleOptions,
}

/// What a schedule's runs are told beyond their steps.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleOptions {
    /// Caps the work of each run: artists an extract syncs, items an enrich looks up.
    pub max_items: Option<usize>,
}

fn utc() -> String {
    "UTC".into()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Extract(Option<Provider>),
    /// What every provider publishes for all (charts, new releases), no artist's pages.
    Charts,
    /// Lookups for catalog items missing a provider's listing (by barcode, ISRC, or
    /// artist and title).
    Enrich,
    /// `full`: everything anew from the whole lake, the link model retrained
    /// (`transform:full`); else only what changed since the last build.
    Transform {
        full: bool,
    },
    Load,
}

impl Step {
    /// As a schedule writes it: `extract`, `extract:deezer`, `transform`, `load`.
    pub fn name(self) -> String {
        match self {
            Step::Extract(None) => "extract".into(),
            Step::Extract(Some(p)) => format!("extract:{}", p.name()),
            Step::Charts => "extract:charts".into(),
            Step::Enrich => "extract:enrich".into(),
            Step::Transform { full: false } => "transform".into(),
            Step::Transform { full: true } => "transform:full".into(),
            Step::Load => "load".into(),
        }
    }

    pub fn parse(s: &str) -> Result<Step, String> {
        match s.split_once(':') {
            None if s == "extract" => Ok(Step::Extract(None)),
            Some(("extract", "charts")) => Ok(Step::Charts),
            Some(("extract", "enrich")) => Ok(Step::Enrich),
            None if s == "transform" => Ok(Step::Transform { full: false }),
            Some(("transform", "full")) => Ok(Step::Transform { full: true }),
            None if s == "load" => Ok(Step::Load),
            Some(("extract", p)) => {
                Provider::parse(p).map(|p| Step::Extract(Some(p))).ok_or_else(|| format!("unknown provider {p:?}"))
            }
            _ => Err(format!(
                "unknown step {s:?} (steps: extract, extract:<provider>, extract:charts, extract:enrich, transform, transform:full, load)"
            )),
        }
    }
}

impl Schedule {
    pub fn steps(&self) -> anyhow::Result<Vec<Step>> {
        self.steps.iter().map(|s| Step::parse(s).map_err(anyhow::Error::msg)).collect()
    }
}

impl Schedule {
    /// The cron expression with seconds: a 5-field one fires at second 0.
    pub fn cron_with_seconds(&self) -> String {
        if self.cron.split_whitespace().count() == 5 { format!("0 {}", self.cron) } else { self.cron.clone() }
    }

    pub fn cron(&self) -> anyhow::Result<croner::Cron> {
        croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Required)
            .dom_and_dow(true)
            .build()
            .parse(&self.cron_with_seconds())
            .map_err(|e| anyhow::anyhow!("{e}"))
    }

    pub fn timezone(&self) -> anyhow::Result<chrono_tz::Tz> {
        self.timezone
            .parse()
            .map_err(|_| anyhow::anyhow!("{:?} is not a time zone (such as UTC or Europe/Paris)", self.timezone))
    }
}

/// Whether `name` can name a schedule file: letters, digits, `-` and `_` (no path).
pub fn is_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub fn load_file(path: &Path) -> anyhow::Result<Schedule> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse(path, &text)
}

/// A schedule's text, checked; `path` names it in errors.
pub fn parse(path: &Path, text: &str) -> anyhow::Result<Schedule> {
    let s: Schedule = toml::from_str(text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    let fields = s.cron.split_whitespace().count();
    if !(5..=6).contains(&fields) {
        bail!(
            "{}: cron: {:?} has {fields} fields; use 5 (minute hour day month weekday) or 6 (seconds first)",
            path.display(),
            s.cron
        );
    }
    if let Err(e) = s.cron() {
        bail!("{}: cron: {:?}: {e}", path.display(), s.cron);
    }
    if let Err(e) = s.timezone() {
        bail!("{}: timezone: {e}", path.display());
    }
    if s.steps.is_empty() {
        bail!("{}: steps: a schedule needs at least one step", path.display());
    }
    for step in &s.steps {
        Step::parse(step).map_err(|e| anyhow::anyhow!("{}: steps: {e}", path.display()))?;
    }
    Ok(s)
}

/// Every schedule in `dir`, checked.
pub fn load_dir(dir: &Path) -> anyhow::Result<Vec<(PathBuf, Schedule)>> {
    let mut paths: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => {
            entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "toml")).collect()
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", dir.display())),
    };
    paths.sort();
    paths.into_iter().map(|p| load_file(&p).map(|s| (p, s))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_schedules_are_valid() {
        let all: Vec<Schedule> =
            crate::shipped::schedules().iter().map(|(path, text)| parse(path, text).unwrap()).collect();
        assert!(all.iter().any(|s| s.name == "nightly"));
    }

    #[test]
    fn a_bad_schedule_names_the_file_and_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.toml");
        for (text, says) in [
            ("name = 'x'\ncron = '0 3 * *'\nsteps = ['load']", "cron"),
            ("name = 'x'\ncron = '0 3 * * *'\nsteps = ['extract:spotifyy']", "steps"),
            ("name = 'x'\ncron = '0 3 * * *'\nsteps = ['load']\nretries = 2", "retries"),
            ("name = 'x'\ncron = '0 25 * * *'\nsteps = ['load']", "cron"),
            ("name = 'x'\ncron = '0 3 * * *'\ntimezone = 'Mars/Olympus'\nsteps = ['load']", "timezone"),
            ("name = 'x'\ncron = '0 3 * * *'\nsteps = ['load']\noptions = { max_itemz = 3 }", "max_itemz"),
        ] {
            std::fs::write(&p, text).unwrap();
            let e = load_file(&p).unwrap_err().to_string();
            assert!(e.contains("bad.toml") && e.contains(says), "{e}");
        }
    }
}

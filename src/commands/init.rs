//! `liner init DIR`: a starting project, as `dbt init` writes one. Everything it writes
//! comes from what the binary ships: the configuration with every provider, copies of
//! the schedules to edit, a folder for models of one's own and a template for secrets.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// What `liner init` wrote, in order.
pub struct Initialized {
    pub files: Vec<PathBuf>,
}

const SQL_README: &str = "\
Models of this project. A file here adds a model to those shipped with liner, or
replaces the shipped model of the same name (`-- model: staging.deezer_albums`, or the
folder and file name: sql/marts/top_labels.sql is marts.top_labels). `liner transform
--dry-run` lists what a build would make. See liner's README, section Models.
";

const GITIGNORE: &str = "data/\n.env\n*.p8\n";

/// The `.env` template: every `LINER_PROVIDERS__...` setting liner.toml mentions,
/// commented out.
fn env_template() -> String {
    let mut out = String::from(
        "# Secrets and settings for liner.toml, read at start. Never commit this file.\n\
         # Uncomment and fill in the lines of the providers you turn on.\n",
    );
    for line in crate::shipped::LINER_TOML.lines() {
        let setting = line.trim_start_matches('#').trim();
        if setting.starts_with("LINER_PROVIDERS__") && setting.contains('=') && !out.contains(setting) {
            out.push_str(&format!("# {setting}\n"));
        }
    }
    out
}

/// Writes a starting project into `dir` (made if missing). Refuses, writing nothing,
/// if any file it would write is there already.
pub fn run(dir: &Path) -> anyhow::Result<Initialized> {
    let mut files: Vec<(PathBuf, String)> = vec![
        (dir.join("liner.toml"), crate::shipped::LINER_TOML.to_string()),
        (dir.join(".env"), env_template()),
        (dir.join(".gitignore"), GITIGNORE.to_string()),
        (dir.join("sql").join("README.md"), SQL_README.to_string()),
    ];
    for (path, text) in crate::shipped::schedules() {
        let name = path.file_name().context("a shipped schedule has a file name")?;
        files.push((dir.join("schedules").join(name), text));
    }
    if let Some((there, _)) = files.iter().find(|(p, _)| p.exists()) {
        anyhow::bail!("{} exists already: liner init writes only into a new project", there.display());
    }
    for (path, text) in &files {
        let parent = path.parent().context("a file in the project folder")?;
        std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(Initialized { files: files.into_iter().map(|(p, _)| p).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_env_template_names_every_secret_the_configuration_mentions_once() {
        let env = env_template();
        for secret in
            ["SPOTIFY__AUTH__CLIENT_SECRET", "DISCOGS__AUTH__VALUE", "YOUTUBE__AUTH__VALUE", "MUSICBRAINZ__USER_AGENT"]
        {
            assert_eq!(env.matches(&format!("LINER_PROVIDERS__{secret}=")).count(), 1, "{secret}:\n{env}");
        }
        assert!(env.lines().all(|l| l.starts_with('#')), "nothing is set by default:\n{env}");
    }
}

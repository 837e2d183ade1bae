//! liner.toml, with `LINER_...` environment overrides (a `.env` file counts as the
//! environment). Relative paths are relative to the folder of the config file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use liner_extract::cache::CacheConfig;
use liner_extract::{Provider, ProviderConfig};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub paths: Paths,
    pub providers: BTreeMap<String, ProviderConfig>,
    /// How long landed responses are served from the lake instead of asked again.
    pub cache: CacheConfig,
    pub load: LoadConfig,
    pub follow: FollowConfig,
    #[serde(default)]
    pub serve: ServeConfig,
    #[serde(default)]
    pub enrich: EnrichConfig,
}

/// Enrichment requested by an app (`POST /enrich`): how often an item that a provider
/// failed to answer is tried again, by the enrich schedule.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EnrichConfig {
    /// Tries in all, the first included; then the item is left as it is.
    pub max_tries: u32,
    /// The wait before the second try; it doubles before each one after.
    pub retry_after_minutes: u64,
}

impl Default for EnrichConfig {
    fn default() -> Self {
        EnrichConfig { max_tries: 5, retry_after_minutes: 60 }
    }
}

/// `liner serve`: where it listens and who may change things.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Loopback unless you mean otherwise.
    pub bind: String,
    /// The bearer token every request that changes something must carry. Set it in the
    /// environment (LINER_SERVE__TOKEN); unset, nothing can be changed over HTTP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// Request bodies larger than this are refused.
    pub max_body_bytes: usize,
    /// Runs waiting beyond this many are refused (503) rather than queued.
    pub max_queued_runs: usize,
    /// `GET /trending` queues a charts refresh when the newest snapshot is older.
    #[serde(default = "default_trending_max_age_hours")]
    pub trending_max_age_hours: f64,
}

fn default_trending_max_age_hours() -> f64 {
    6.0
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            bind: "127.0.0.1:8080".into(),
            token: None,
            max_body_bytes: 64 * 1024,
            max_queued_runs: 16,
            trending_max_age_hours: default_trending_max_age_hours(),
        }
    }
}

/// What `liner follow` does besides remembering the artist.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowConfig {
    /// Ask MusicBrainz who the artist is first (asks you when several match).
    pub resolve: bool,
    /// Fetch the artist from every provider at once and rebuild the warehouse, rather
    /// than wait for the next scheduled extract.
    pub sync: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paths {
    /// Raw lake, warehouse, state and the embedded app database live here.
    pub data_dir: PathBuf,
    /// The SQL models, only those. Unset: the models shipped with liner, and those in
    /// `sql/` beside liner.toml, which add to them or replace one of the same name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql_dir: Option<PathBuf>,
    /// The schedules, only those. Unset: the shipped ones, and those in `schedules/`
    /// beside liner.toml, which add to them or replace one of the same file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedules_dir: Option<PathBuf>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadConfig {
    /// The app database: a path (or `sqlite://path`) is SQLite; `postgres://user@host/db`
    /// is PostgreSQL (the password from the URL, else PGPASSWORD).
    pub target: String,
    /// Warehouse tables to load, as `schema.table`.
    pub tables: Vec<String>,
    /// PostgreSQL only: the schema the tables live in (created if missing).
    #[serde(default = "default_schema")]
    pub schema: String,
    /// `merge` (insert, update, delete what changed) or `replace` (swap in whole tables).
    #[serde(default = "default_mode")]
    pub mode: String,
}

fn default_schema() -> String {
    "public".into()
}

fn default_mode() -> String {
    "merge".into()
}

/// What an app reads, loaded by default: the catalog with every provider's listing and
/// the links between them, and the marts its pages show.
pub const APP_TABLES: [&str; 9] = [
    "canonical.release_groups",
    "canonical.releases",
    "canonical.tracks",
    "canonical.links",
    "canonical.listings",
    "marts.upcoming_releases",
    "marts.chart_appearances",
    "marts.track_features",
    "marts.coverage",
];

impl Default for Config {
    fn default() -> Self {
        Config {
            paths: Paths { data_dir: PathBuf::from("data"), sql_dir: None, schedules_dir: None },
            providers: Provider::ALL.iter().map(|p| (p.name().to_string(), p.default_config())).collect(),
            cache: CacheConfig::default(),
            load: LoadConfig {
                target: "data/app.sqlite".into(),
                tables: APP_TABLES.map(String::from).to_vec(),
                schema: default_schema(),
                mode: default_mode(),
            },
            follow: FollowConfig { resolve: true, sync: true },
            serve: ServeConfig::default(),
            enrich: EnrichConfig::default(),
        }
    }
}

/// Where the configuration came from, for `config show`.
pub struct Loaded {
    pub config: Config,
    pub file: Option<PathBuf>,
    /// The folder relative paths are resolved against.
    pub root: PathBuf,
}

pub fn load(path: Option<&Path>) -> anyhow::Result<Loaded> {
    let _ = dotenvy::dotenv();
    let explicit = path.is_some();
    let path = path.map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("liner.toml"));
    let file = if path.exists() {
        Some(path.clone())
    } else if explicit {
        anyhow::bail!("config file {} does not exist", path.display());
    } else {
        None
    };
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    if let Some(f) = &file {
        figment = figment.merge(Toml::file(f));
    }
    let config: Config = figment
        // LINER_CONFIG names the file itself; it is not a setting.
        .merge(Env::prefixed("LINER_").filter(|k| !k.as_str().eq_ignore_ascii_case("config")).split("__"))
        .extract()
        .map_err(|e| anyhow::anyhow!("{}", describe(&e)))
        .with_context(|| {
            format!(
                "reading the configuration{}",
                file.as_ref().map(|f| format!(" from {}", f.display())).unwrap_or_default()
            )
        })?;
    let root = file
        .as_ref()
        .and_then(|f| f.parent().map(Path::to_path_buf))
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."));
    Ok(Loaded { config, file, root })
}

fn describe(e: &figment::Error) -> String {
    e.clone().into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
}

impl Loaded {
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() { p.to_path_buf() } else { self.root.join(p) }
    }
    pub fn data_dir(&self) -> PathBuf {
        self.resolve(&self.config.paths.data_dir)
    }
    pub fn lake_root(&self) -> PathBuf {
        self.data_dir().join("raw")
    }
    pub fn warehouse(&self) -> PathBuf {
        self.data_dir().join("warehouse.duckdb")
    }
    pub fn state_db(&self) -> PathBuf {
        self.data_dir().join("state.sqlite")
    }
    /// A folder named by convention beside liner.toml, if there is a liner.toml and it.
    fn beside_config(&self, name: &str) -> Option<PathBuf> {
        self.file.as_ref()?;
        Some(self.root.join(name)).filter(|d| d.is_dir())
    }

    /// The models a build reads (see `Paths::sql_dir`).
    pub fn models(&self) -> liner_transform::model::ModelSet {
        match &self.config.paths.sql_dir {
            Some(p) => liner_transform::model::ModelSet::only(self.resolve(p)),
            None => {
                liner_transform::model::ModelSet { shipped: crate::shipped::models(), own: self.beside_config("sql") }
            }
        }
    }

    /// Every schedule, checked, by file name (see `Paths::schedules_dir`).
    pub fn schedules(&self) -> anyhow::Result<Vec<(PathBuf, crate::runs::schedules::Schedule)>> {
        use crate::runs::schedules::{load_dir, parse};
        let (shipped, own) = match &self.config.paths.schedules_dir {
            Some(p) => (Vec::new(), Some(self.resolve(p))),
            None => (crate::shipped::schedules(), self.beside_config("schedules")),
        };
        let mut all: Vec<(PathBuf, crate::runs::schedules::Schedule)> = shipped
            .iter()
            .map(|(path, text)| parse(path, text).map(|s| (path.clone(), s)))
            .collect::<Result<_, _>>()?;
        if let Some(dir) = own {
            for (path, s) in load_dir(&dir)? {
                all.retain(|(p, _)| p.file_name() != path.file_name());
                all.push((path, s));
            }
        }
        all.sort_by(|a, b| a.0.file_name().cmp(&b.0.file_name()));
        Ok(all)
    }

    /// The schedule of file `<name>.toml`, or an error that lists the known ones.
    pub fn schedule(&self, name: &str) -> anyhow::Result<crate::runs::schedules::Schedule> {
        let all = self.schedules()?;
        let file = format!("{name}.toml");
        if let Some((_, s)) = all.iter().find(|(p, _)| p.file_name().is_some_and(|f| f == file.as_str())) {
            return Ok(s.clone());
        }
        let known: Vec<String> =
            all.iter().filter_map(|(p, _)| p.file_stem().map(|s| s.to_string_lossy().into_owned())).collect();
        anyhow::bail!("no schedule {name:?} (known: {})", known.join(", "))
    }

    /// The app database the load stage writes.
    pub fn load_target(&self) -> anyhow::Result<liner_load::Target> {
        let t = self.config.load.target.trim();
        if t.starts_with("postgres://") || t.starts_with("postgresql://") {
            return Ok(liner_load::Target::Postgres(liner_load::PgTarget::new(t, &self.config.load.schema)?));
        }
        let path = t.strip_prefix("sqlite://").unwrap_or(t);
        if let Some((scheme, _)) = path.split_once("://") {
            anyhow::bail!("load.target: {scheme}:// is not a target liner loads; use a SQLite path or postgres://");
        }
        if path.is_empty() {
            anyhow::bail!("load.target: empty; a SQLite path or a postgres:// URL");
        }
        Ok(liner_load::Target::Sqlite(self.resolve(Path::new(path))))
    }

    pub fn load_mode(&self) -> anyhow::Result<liner_load::Mode> {
        self.config.load.mode.parse().context("load.mode")
    }

    /// The configured providers, known and enabled, in liner's order.
    pub fn providers(&self) -> Vec<(Provider, ProviderConfig)> {
        Provider::ALL
            .iter()
            .filter_map(|p| self.config.providers.get(p.name()).filter(|c| c.enabled).map(|c| (*p, c.clone())))
            .collect()
    }

    /// Every problem with the configuration, each naming the field.
    pub fn problems(&self) -> Vec<String> {
        let mut out = self.provider_problems();
        out.extend(self.local_problems());
        out
    }

    /// Problems with the provider settings: they stop an extract.
    pub fn provider_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (name, c) in &self.config.providers {
            match Provider::parse(name) {
                None => out.push(format!(
                    "providers.{name}: unknown provider (known: {})",
                    Provider::ALL.iter().map(|p| p.name()).collect::<Vec<_>>().join(", ")
                )),
                Some(p) if c.enabled => out.extend(p.problems(c)),
                Some(_) => {}
            }
        }
        out
    }

    /// Problems with what transform and load use (paths, models, load target,
    /// schedules): those stages run without any provider settings.
    pub fn local_problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Err(e) = self.load_target() {
            out.push(e.to_string());
        }
        if let Err(e) = self.load_mode() {
            out.push(format!("{e:#}"));
        }
        if self.config.enrich.max_tries == 0 {
            out.push("enrich.max_tries: at least 1 (the first try counts)".into());
        }
        for t in &self.config.load.tables {
            if t.split_once('.').is_none_or(|(s, n)| !matches!(s, "canonical" | "marts") || n.is_empty()) {
                out.push(format!("load.tables: {t:?} is not a canonical.* or marts.* table"));
            }
        }
        if let Some(sql) = self.config.paths.sql_dir.as_deref().map(|p| self.resolve(p)) {
            if !sql.is_dir() {
                out.push(format!("paths.sql_dir: {} is not a folder", sql.display()));
            }
        }
        if let Err(e) = self.models().load() {
            out.push(format!("{e:#}"));
        }
        if let Err(e) = self.schedules() {
            out.push(format!("{e:#}"));
        }
        out
    }

    /// The configuration as TOML, with anything that looks like a secret masked.
    pub fn show(&self) -> anyhow::Result<String> {
        let mut config = self.config.clone();
        if let Ok(liner_load::Target::Postgres(pg)) = self.load_target() {
            config.load.target = pg.to_string();
        }
        let mut value = toml::Value::try_from(&config)?;
        mask(&mut value);
        Ok(toml::to_string_pretty(&value)?)
    }
}

fn is_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    ["token", "secret", "password", "api_key", "private_key"].iter().any(|s| k.contains(s)) || k == "key"
}

fn mask(v: &mut toml::Value) {
    if let toml::Value::Table(t) = v {
        for (k, v) in t.iter_mut() {
            if is_secret(k) && v.is_str() {
                *v = toml::Value::String("****".into());
            } else {
                mask(v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_wherever_they_sit() {
        let mut v: toml::Value =
            toml::from_str("[a]\napi_key = 'k1'\nname = 'x'\n[a.b]\nclient_secret = 's'\ntoken = 't'").unwrap();
        mask(&mut v);
        let s = toml::to_string(&v).unwrap();
        assert!(!s.contains("k1") && !s.contains("'s'") && !s.contains("\"t\""), "{s}");
        assert!(s.contains("name = \"x\""));
    }
}

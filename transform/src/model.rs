//! A SQL model: one SELECT in a file, with a header of comments that names it, its
//! key and its assertions. Its dependencies are the layer-qualified names it reads.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The warehouse schemas, in build order. A name `<layer>.<table>` in a model's SQL is
/// a reference to another model (or, for `raw`, to a lake view).
pub const LAYERS: &[&str] = &["raw", "answers", "staging", "intermediate", "canonical", "marts"];

/// The settings a model's header may hold.
pub const HEADER_KEYS: &[&str] =
    &["model", "key", "materialized", "merge", "kind", "max_length", "assert", "canonical", "coverage"];

/// Where incremental models keep their answers and merged rows (`Model::answers_table`).
pub const INCREMENTAL: &str = "incremental";

/// The layers liner makes from the lake itself; models live in the others.
pub const SOURCE_LAYERS: &[&str] = &["raw", "answers"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assertion {
    Unique(Vec<String>),
    NotNull(Vec<String>),
}

impl std::fmt::Display for Assertion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Assertion::Unique(c) => write!(f, "unique({})", c.join(", ")),
            Assertion::NotNull(c) => write!(f, "not_null({})", c.join(", ")),
        }
    }
}

/// How a SQL model is kept in the warehouse (`-- materialized: view`; a table unless
/// said). A view suits a model that only puts other models side by side (a union of
/// staging tables): its readers scan the staging tables as fast as a copy of them, and
/// the copy's writing is saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Materialized {
    #[default]
    Table,
    View,
}

impl Materialized {
    /// The SQL word: `CREATE TABLE`, `DROP VIEW`.
    pub fn sql(self) -> &'static str {
        match self {
            Materialized::Table => "TABLE",
            Materialized::View => "VIEW",
        }
    }
}

/// How a build after the first brings a model up to date (SQLMesh's model kinds).
/// Follows from the header: a view is never rebuilt for new data (it reads what is
/// there); a table with a `-- merge:` is incremental by its key, unless its header
/// says `-- kind: full`; a table whose header says `-- kind: incremental by <column>`
/// is incremental by that partition; a Rust model may update itself (`Model::incremental`);
/// every other table and Rust model is rebuilt whole when anything it reads has changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    View,
    /// SQLMesh's INCREMENTAL_BY_UNIQUE_KEY: the model's rows are every answer's rows
    /// (its SQL reads each answer alone), kept in `incremental.<schema>__<table>`; a
    /// build adds the rows of the answers landed since, and merges again the keys they
    /// name, from all of those keys' answers.
    IncrementalByKey,
    /// SQLMesh's INCREMENTAL_BY_PARTITION: the model's rows with one value of its
    /// partition column (`Model::partition`) come from the rows with that value of what
    /// it reads, and from nothing else that changes; a build makes again the rows of the
    /// values whose rows changed upstream.
    IncrementalByPartition,
    /// A Rust model that finds what changed in what it reads and updates its rows for
    /// that alone (the fuzzy linker: the items that changed and those they may link to).
    Incremental,
    Full,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::View => "view",
            Kind::IncrementalByKey => "incremental by key",
            Kind::IncrementalByPartition => "incremental by partition",
            Kind::Incremental => "incremental (it finds what changed)",
            Kind::Full => "full",
        })
    }
}

/// How a staging model makes one row of an item that several answers describe
/// (`-- merge:`), by a rank column of the model's rows (higher first, then dropped) and
/// then by the newest (`fetched_at`). The model's SQL gives every answer's row; liner
/// keeps one per key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merge {
    /// `-- merge: by whole, then newest`: the rank column.
    pub rank: Option<String>,
    /// `newest row` keeps the best answer's whole row, for rows that only make sense
    /// together (one answer's list position and its fetch time); plain `newest` takes
    /// each field from the best answer that has it, and a field no answer has stays NULL.
    pub whole_row: bool,
}

impl Merge {
    fn parse(value: &str) -> Option<Merge> {
        let (rest, whole_row) = match value.strip_suffix(" row") {
            Some(rest) => (rest, true),
            None => (value, false),
        };
        let rank = match rest {
            "newest" => None,
            _ => Some(rest.strip_prefix("by ")?.strip_suffix(", then newest")?),
        };
        if rank.is_some_and(|r| !is_identifier(r)) {
            return None;
        }
        Some(Merge { rank: rank.map(str::to_string), whole_row })
    }

    /// The model's SQL wrapped into one row per key (one column, or several for
    /// `newest row`). Only the keys that several answers describe are merged: most
    /// items are answered once, and their rows pass as they are (at a million, merging
    /// every row cost a second of MusicBrainz's releases and 0.7 s of Deezer's albums,
    /// more than finding the few keys that repeat).
    pub fn wrap(&self, key: &[String], sql: &str) -> anyhow::Result<String> {
        let keys = key.join(", ");
        let same_key = same_key(key, "a", "r");
        Ok(format!(
            "WITH model_rows AS MATERIALIZED (\n{sql}\n),\n\
             repeated_keys AS (SELECT {keys} FROM model_rows GROUP BY ALL HAVING count(*) > 1)\n\
             SELECT {} FROM model_rows a ANTI JOIN repeated_keys r ON ({same_key})\nUNION ALL\n{}",
            self.columns(key),
            self.merge(key, &format!("(SELECT a.* FROM model_rows a SEMI JOIN repeated_keys r ON ({same_key}))"))?
        ))
    }

    /// The merged rows of the keys of table `answers` that several of its rows describe
    /// (among the keys of table `among`, when given): what an incremental model keeps
    /// beside its answers (`Model::merged_table`).
    pub fn merged_of(&self, key: &[String], answers: &str, among: Option<&str>) -> anyhow::Result<String> {
        let keys = key.join(", ");
        let candidates = match among {
            Some(among) => {
                format!("(SELECT a.* FROM {answers} a SEMI JOIN {among} r ON ({}))", same_key(key, "a", "r"))
            }
            None => answers.to_string(),
        };
        Ok(format!(
            "WITH repeated_keys AS (SELECT {keys} FROM {candidates} GROUP BY ALL HAVING count(*) > 1)\n{}",
            self.merge(
                key,
                &format!("(SELECT a.* FROM {answers} a SEMI JOIN repeated_keys r ON ({}))", same_key(key, "a", "r"))
            )?
        ))
    }

    /// The model as its readers see it, over the answers and the merged rows an
    /// incremental model keeps: the rows of keys answered once, as they are, and the
    /// merged ones. What `wrap` makes, without a second copy of a million rows.
    pub fn view_of(&self, key: &[String], answers: &str, merged: &str) -> String {
        format!(
            "SELECT {} FROM {answers} a ANTI JOIN {merged} r ON ({})\nUNION ALL\nSELECT * FROM {merged}",
            self.columns(key),
            same_key(key, "a", "r")
        )
    }

    /// A merged row's columns, as a select list over one answer's row.
    fn columns(&self, key: &[String]) -> String {
        match (&self.rank, self.whole_row) {
            (Some(rank), true) => format!("* EXCLUDE ({rank})"),
            (None, true) => "*".to_string(),
            (Some(rank), false) => format!("{keys}, COLUMNS(* EXCLUDE ({keys}, {rank}))", keys = key.join(", ")),
            (None, false) => format!("{keys}, COLUMNS(* EXCLUDE ({keys}))", keys = key.join(", ")),
        }
    }

    /// One merged row per key of `rows`, with the columns of `columns`.
    fn merge(&self, key: &[String], rows: &str) -> anyhow::Result<String> {
        let keys = key.join(", ");
        if self.whole_row {
            let order = match &self.rank {
                Some(rank) => format!("{rank} DESC, fetched_at DESC"),
                None => "fetched_at DESC".to_string(),
            };
            return Ok(format!(
                "SELECT {} FROM {rows} AS repeated_rows\nQUALIFY row_number() OVER (PARTITION BY {keys} ORDER BY {order}) = 1",
                self.columns(key)
            ));
        }
        let [_] = key else { bail!("-- merge: field by field wants a -- key: of one column (or say \"newest row\")") };
        let (exclude, order) = match &self.rank {
            Some(rank) => (format!("{keys}, {rank}"), format!("answer_order({rank}, fetched_at)")),
            None => (keys.clone(), "fetched_at".to_string()),
        };
        Ok(format!(
            "SELECT {keys}, arg_max(COLUMNS(* EXCLUDE ({exclude})), {order}) FROM {rows} AS repeated_rows\nGROUP BY {keys}"
        ))
    }
}

/// Rows `a` and `b` have the same key. A NULL key is one key, as GROUP BY and
/// PARTITION BY take it.
pub(crate) fn same_key(key: &[String], a: &str, b: &str) -> String {
    key.iter().map(|k| format!("{a}.{k} IS NOT DISTINCT FROM {b}.{k}")).collect::<Vec<_>>().join(" AND ")
}

/// A provider's column of a canonical table (`-- canonical: deezer_fans =
/// max(popularity)::bigint` on its conformed items model): one aggregate over the
/// provider's items of a release or track, with an optional cast of the result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalColumn {
    pub name: String,
    /// The aggregate call, `max(popularity)`.
    pub aggregate: String,
    /// `::bigint`, or empty.
    pub cast: String,
}

impl CanonicalColumn {
    fn parse(value: &str) -> anyhow::Result<CanonicalColumn> {
        let (name, expr) = value.split_once('=').context("expected `<column> = <aggregate>(...)[::<type>]`")?;
        let (name, expr) = (name.trim(), expr.trim());
        if !is_identifier(name) {
            bail!("{name:?} is not a column name");
        }
        // The call ends at the parenthesis that closes its first one.
        let open = expr.find('(').with_context(|| format!("{expr:?} is not an aggregate call"))?;
        let mut depth = 0;
        let mut close = None;
        for (i, c) in expr[open..].char_indices().map(|(i, c)| (open + i, c)) {
            match c {
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close.with_context(|| format!("unclosed parenthesis in {expr:?}"))?;
        let (aggregate, cast) = expr.split_at(close + 1);
        let cast = cast.trim();
        if !is_identifier(expr[..open].trim())
            || !(cast.is_empty() || cast.strip_prefix("::").is_some_and(is_identifier))
        {
            bail!("expected `<aggregate>(...)` with an optional `::<type>`, got {expr:?}");
        }
        Ok(CanonicalColumn { name: name.to_string(), aggregate: aggregate.to_string(), cast: cast.to_string() })
    }
}

/// A model written in Rust: it creates its table itself, from the tables it reads, or
/// (incremental ones) brings it up to date.
pub type RustModel = fn(&duckdb::Connection, Run) -> anyhow::Result<()>;

/// How a Rust model is run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// Made whole. With `keep_model`, what it learns from the data (the link model) is
    /// the one the last build kept (`Model::keeps`), not learned again.
    Full { keep_model: bool },
    /// Brought up to date from what changed, which it finds itself, with what the last
    /// build kept.
    Update,
}

/// `-- kind: incremental by <column>`: the model's rows with one value of `column` come
/// from the rows with that value of what it reads. `values` names whose values they are:
/// the column's own name by default, shared by the models it reads that change at a
/// column of that name (`release_id`); or `<schema>.<model>.<column>` when they are
/// another model's values under another name (`canonical_id = canonical.clusters.cluster_id`:
/// a canonical release's id is its cluster's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    pub column: String,
    pub values: String,
}

impl Partition {
    fn parse(by: &str) -> Option<Partition> {
        let (column, values) = match by.split_once('=') {
            None => (by.trim(), by.trim()),
            Some((c, v)) => (c.trim(), v.trim()),
        };
        let qualified = values.split('.').count() == 3 && values.split('.').all(is_identifier);
        (is_identifier(column) && (values == column || qualified))
            .then(|| Partition { column: column.to_string(), values: values.to_string() })
    }
}

impl std::fmt::Display for Partition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.values == self.column {
            f.write_str(&self.column)
        } else {
            write!(f, "{} = {}", self.column, self.values)
        }
    }
}

/// What an incremental Rust model says it changed: the values of `column` whose rows
/// it made again, among them every value whose members' rows changed in `covers`
/// (models keyed by item, `provider, item_id`). A model incremental by those values
/// may then read the covered models narrowed to the items of the changed values,
/// though they changed elsewhere too (`incremental::plan`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    pub column: String,
    pub covers: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Model {
    /// `schema.table`.
    pub name: String,
    pub path: PathBuf,
    pub sql: String,
    /// Set for models computed in Rust (where SQL is the wrong tool, such as the
    /// connected components of the link graph); `sql` is then empty.
    pub rust: Option<RustModel>,
    /// The tables a Rust model learns from the data and keeps for the builds after
    /// (the link model): `--keep-model` carries them over to a full build.
    pub keeps: Vec<String>,
    pub materialized: Materialized,
    pub merge: Option<Merge>,
    /// With a merge: the SQL of every answer's rows, before they are merged by key.
    pub answer_rows: Option<String>,
    /// `-- kind: full`: rebuilt whole even where its header would let it be incremental.
    pub full: bool,
    /// `-- kind: incremental by <column>`: the partition column, and whose values it holds.
    pub partition: Option<Partition>,
    /// On an incremental Rust model: the column of its rows at which it says what it
    /// changed, and what that covers (`Changes`).
    pub changes: Option<Changes>,
    pub key: Vec<String>,
    /// `-- max_length: isrc 12, gtin 14`: the most characters a text column holds. The
    /// app database gets the columns as varchar(n), and a load refuses a longer value.
    pub max_length: Vec<(String, usize)>,
    pub assertions: Vec<Assertion>,
    /// Layer-qualified names the SQL reads, in order of first appearance.
    pub refs: Vec<String>,
    /// On a provider's conformed items model: its columns of the canonical table
    /// (`crate::conformed`).
    pub canonical: Vec<CanonicalColumn>,
    /// On a provider's conformed items model: the name of its measure in
    /// marts.coverage, when not the provider's own (`-- coverage: mbid`).
    pub coverage: Option<String>,
}

impl Model {
    /// A Rust model: its name, where it lives, what it reads, its key.
    pub fn rust(name: &str, path: &str, refs: &[&str], key: &[&str], run: RustModel) -> Model {
        let key: Vec<String> = key.iter().map(|k| k.to_string()).collect();
        let assertions =
            if key.is_empty() { vec![] } else { vec![Assertion::Unique(key.clone()), Assertion::NotNull(key.clone())] };
        Model {
            name: name.to_string(),
            path: PathBuf::from(path),
            sql: String::new(),
            rust: Some(run),
            keeps: Vec::new(),
            materialized: Materialized::Table,
            merge: None,
            answer_rows: None,
            full: true,
            partition: None,
            changes: None,
            key,
            max_length: Vec::new(),
            assertions,
            refs: refs.iter().map(|r| r.to_string()).collect(),
            canonical: Vec::new(),
            coverage: None,
        }
    }

    /// A model liner writes itself from the others (`crate::conformed`): SQL, kept as a
    /// view or a table, with no header of its own.
    pub fn generated(name: &str, sql: String, materialized: Materialized) -> Model {
        Model {
            name: name.to_string(),
            path: PathBuf::from(format!("(generated) {name}")),
            refs: references(&sql),
            sql,
            rust: None,
            keeps: Vec::new(),
            materialized,
            merge: None,
            answer_rows: None,
            full: false,
            partition: None,
            changes: None,
            key: Vec::new(),
            max_length: Vec::new(),
            assertions: Vec::new(),
            canonical: Vec::new(),
            coverage: None,
        }
    }

    /// A Rust model that brings itself up to date from what changed (`Run::Update`),
    /// keeping `keeps` for the builds after.
    pub fn incremental(mut self, keeps: &[&str]) -> Model {
        self.full = false;
        self.keeps = keeps.iter().map(|k| k.to_string()).collect();
        self
    }

    /// An incremental Rust model that says, after each update, the values of `column`
    /// whose rows it changed (in `incremental::changed_at_table`), and whose changes
    /// include those of the item rows of `covers` (`Changes`).
    pub fn changes_at(mut self, column: &str, covers: &[&str]) -> Model {
        self.changes =
            Some(Changes { column: column.to_string(), covers: covers.iter().map(|c| c.to_string()).collect() });
        self
    }

    /// The values a model changed at, when a build knows them: `(column, whose values)`.
    pub fn changes_column(&self) -> Option<(String, String)> {
        match (self.kind(), &self.partition, &self.changes, self.key.as_slice()) {
            (Kind::IncrementalByPartition, Some(p), ..) => Some((p.column.clone(), p.values.clone())),
            (Kind::Incremental, _, Some(c), _) => Some((c.column.clone(), format!("{}.{}", self.name, c.column))),
            (Kind::IncrementalByKey, _, _, [k]) => Some((k.clone(), k.clone())),
            _ => None,
        }
    }

    pub fn kind(&self) -> Kind {
        if self.rust.is_some() {
            return if self.full { Kind::Full } else { Kind::Incremental };
        }
        match (self.materialized, &self.merge) {
            (Materialized::View, _) => Kind::View,
            (Materialized::Table, Some(_)) if !self.full && self.rust.is_none() => Kind::IncrementalByKey,
            (Materialized::Table, None) if self.partition.is_some() && !self.full && self.rust.is_none() => {
                Kind::IncrementalByPartition
            }
            _ => Kind::Full,
        }
    }

    /// Where an incremental model keeps every answer's rows: `incremental.<schema>__<table>`.
    pub fn answers_table(&self) -> String {
        answers_table_of(&self.name)
    }

    /// Where an incremental model keeps the merged rows of the keys several answers
    /// describe; its readers see a view over these and the answers (`Merge::view_of`).
    pub fn merged_table(&self) -> String {
        format!("{}__merged", answers_table_of(&self.name))
    }

    /// What the model is made of, as a hash: a model whose fingerprint differs from the
    /// one its table was built with is rebuilt whole, with everything that reads it. Its
    /// comments are not part of it: rewording one rebuilds nothing.
    /// A Rust model's code is in liner's own fingerprint (`crate::changes::ENGINE`).
    pub fn fingerprint(&self) -> String {
        let mut h = blake3::Hasher::new();
        for part in [
            self.name.as_str(),
            self.materialized.sql(),
            &self.kind().to_string(),
            &self.partition.as_ref().map(Partition::to_string).unwrap_or_default(),
            &self.key.join(","),
            &without_comments(&self.sql),
            &self
                .canonical
                .iter()
                .map(|c| format!("{}={}{}", c.name, c.aggregate, c.cast))
                .collect::<Vec<_>>()
                .join(";"),
            self.coverage.as_deref().unwrap_or(""),
            &self.assertions.iter().map(|a| a.to_string()).collect::<Vec<_>>().join(";"),
            &self.max_length_list(),
        ] {
            h.update(part.as_bytes());
            h.update(&[0]);
        }
        h.finalize().to_hex()[..16].to_string()
    }

    pub fn schema(&self) -> &str {
        self.name.split_once('.').map_or("", |(s, _)| s)
    }

    /// Parses a model file. The name comes from `-- model:`, or else from the folder
    /// and file name (`sql/staging/deezer_albums.sql` is `staging.deezer_albums`).
    /// The header is the comments before the SQL; a line `-- <key>: <value>` whose key
    /// is a lowercase word is a setting, and an unknown one is an error (a misspelt
    /// `-- asert:` would otherwise drop an assertion without a word).
    pub fn parse(path: &Path, text: &str) -> anyhow::Result<Model> {
        let mut name = None;
        let mut canonical = Vec::new();
        let mut coverage = None;
        let mut key = Vec::new();
        let mut materialized = Materialized::Table;
        let mut merge = None;
        let mut full = false;
        let mut partition = None;
        let mut max_length = Vec::new();
        let mut assertions = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() {
                continue;
            }
            let Some(comment) = line.strip_prefix("--") else {
                break;
            };
            let Some((field, value)) = comment.split_once(':') else {
                continue;
            };
            let field = field.trim();
            if !field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') || field.is_empty() {
                // Prose: "-- Genres: ...", "-- A view: ...".
                continue;
            }
            let value = value.trim();
            match field {
                "model" => name = Some(value.to_string()),
                "key" => key = split_list(value),
                "materialized" => {
                    materialized = match value {
                        "table" => Materialized::Table,
                        "view" => Materialized::View,
                        other => bail!("{}: -- materialized: expected table or view, got {other:?}", path.display()),
                    }
                }
                "merge" => {
                    merge = Some(Merge::parse(value).with_context(|| {
                        format!(
                            "{}: -- merge: expected \"newest\" or \"by <rank column>, then newest\", each with an optional \" row\", got {value:?}",
                            path.display()
                        )
                    })?)
                }
                "kind" => match value.strip_prefix("incremental by ") {
                    _ if value == "full" => full = true,
                    Some("key") => {}
                    Some(by) if Partition::parse(by).is_some() => partition = Partition::parse(by),
                    _ => bail!(
                        "{}: -- kind: expected full, or incremental by <partition column> (optionally \
                         `= <schema>.<model>.<column>`, the model whose values it holds; a -- merge: makes it \
                         incremental by key), got {value:?}",
                        path.display()
                    ),
                },
                "max_length" => {
                    max_length = parse_lengths(value).with_context(|| format!("{}: -- max_length:", path.display()))?
                }
                "assert" => assertions
                    .extend(parse_assertions(value).with_context(|| format!("{}: -- assert:", path.display()))?),
                "canonical" => canonical
                    .push(CanonicalColumn::parse(value).with_context(|| format!("{}: -- canonical:", path.display()))?),
                "coverage" if is_identifier(value) => coverage = Some(value.to_string()),
                "coverage" => bail!("{}: -- coverage: expected a measure's name, got {value:?}", path.display()),
                other => bail!(
                    "{}: unknown header key `-- {other}:` (known: {})",
                    path.display(),
                    HEADER_KEYS.join(", ")
                ),
            }
        }
        let name = match name {
            Some(n) => n,
            None => {
                let layer = path.parent().and_then(Path::file_name).and_then(|s| s.to_str()).unwrap_or("");
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                format!("{layer}.{stem}")
            }
        };
        match name.split_once('.') {
            Some((schema, table))
                if LAYERS.contains(&schema) && !SOURCE_LAYERS.contains(&schema) && is_identifier(table) => {}
            _ => bail!(
                "{}: model name {name:?} must be <layer>.<table> with layer one of staging, intermediate, canonical, marts",
                path.display()
            ),
        }
        let rows = text.trim().trim_end_matches(';').trim_end().to_string();
        let (sql, answer_rows) = match &merge {
            None => (rows, None),
            Some(_) if key.is_empty() => bail!("{}: -- merge: wants a -- key: to merge by", path.display()),
            Some(m) => (m.wrap(&key, &rows).with_context(|| path.display().to_string())?, Some(rows)),
        };
        let refs = references(&sql);
        if !key.is_empty() {
            assertions.insert(0, Assertion::NotNull(key.clone()));
            assertions.insert(0, Assertion::Unique(key.clone()));
        }
        Ok(Model {
            name,
            path: path.to_path_buf(),
            sql,
            rust: None,
            keeps: Vec::new(),
            materialized,
            merge,
            answer_rows,
            full,
            partition,
            changes: None,
            key,
            max_length,
            assertions,
            refs,
            canonical,
            coverage,
        })
    }

    /// `isrc=12,gtin=14`, as `meta.models.max_length` keeps it for the load.
    pub fn max_length_list(&self) -> String {
        self.max_length.iter().map(|(c, n)| format!("{c}={n}")).collect::<Vec<_>>().join(",")
    }
}

/// `Model::answers_table` of the model named `name`.
pub fn answers_table_of(name: &str) -> String {
    format!("{INCREMENTAL}.{}", name.replace('.', "__"))
}

/// `isrc 12, gtin 14`.
fn parse_lengths(s: &str) -> anyhow::Result<Vec<(String, usize)>> {
    split_list(s)
        .iter()
        .map(|part| {
            let mut words = part.split_whitespace();
            match (words.next(), words.next().map(str::parse::<usize>), words.next()) {
                (Some(c), Some(Ok(n)), None) if is_identifier(c) && n > 0 => Ok((c.to_string(), n)),
                _ => bail!("expected `column length`, such as `isrc 12`, got {part:?}"),
            }
        })
        .collect()
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn split_list(s: &str) -> Vec<String> {
    s.split(',').map(str::trim).filter(|c| !c.is_empty()).map(str::to_string).collect()
}

/// `unique(a, b), not_null(c)`.
fn parse_assertions(s: &str) -> anyhow::Result<Vec<Assertion>> {
    let mut out = Vec::new();
    let mut rest = s.trim();
    while !rest.is_empty() {
        let open = rest.find('(').with_context(|| format!("expected name(columns) at {rest:?}"))?;
        let close = rest.find(')').with_context(|| format!("unclosed parenthesis in {rest:?}"))?;
        let (kind, columns) = (rest[..open].trim(), split_list(&rest[open + 1..close]));
        if columns.is_empty() || !columns.iter().all(|c| is_identifier(c)) {
            bail!("{kind}: expected column names, got {:?}", &rest[open + 1..close]);
        }
        out.push(match kind {
            "unique" => Assertion::Unique(columns),
            "not_null" => Assertion::NotNull(columns),
            other => bail!("unknown assertion {other:?} (known: unique, not_null)"),
        });
        rest = rest[close + 1..].trim_start().trim_start_matches(',').trim_start();
    }
    Ok(out)
}

/// The `<layer>.<name>` identifiers in SQL, outside comments and string literals.
pub fn references(sql: &str) -> Vec<String> {
    let code = strip_comments_and_strings(sql);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.') {
                i += 1;
            }
            let preceded_by_dot = start > 0 && bytes[start - 1] == b'.';
            let word = &code[start..i];
            let parts: Vec<&str> = word.split('.').collect();
            if !preceded_by_dot
                && parts.len() == 2
                && LAYERS.contains(&parts[0].to_ascii_lowercase().as_str())
                && !parts[1].is_empty()
            {
                let name = format!("{}.{}", parts[0].to_ascii_lowercase(), parts[1].to_ascii_lowercase());
                if seen.insert(name.clone()) {
                    out.push(name);
                }
            }
        } else {
            i += 1;
        }
    }
    out
}

/// `sql` with the `<layer>.<name>` references in `to` replaced by what they map to;
/// comments, string literals and qualified column names are left as they are.
pub fn replace_references(sql: &str, to: &std::collections::BTreeMap<String, String>) -> String {
    rewrite(sql, true, |word| to.get(&word.to_ascii_lowercase()).cloned())
}

/// `sql` without its comments, and each run of white space outside strings one space:
/// its code, as a fingerprint reads it.
pub fn without_comments(sql: &str) -> String {
    rewrite(sql, false, |_| None).trim().to_string()
}

/// Copies `sql`, keeping comments or not, and each name (a word of letters, digits,
/// `_` and `.`, not after a dot) outside comments and strings as `name` maps it.
fn rewrite(sql: &str, keep_comments: bool, name: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(sql.len());
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'-' && bytes.get(i + 1) == Some(&b'-') {
            let end = sql[i..].find('\n').map_or(bytes.len(), |e| i + e);
            if keep_comments {
                out.push_str(&sql[i..end]);
            } else if !out.ends_with(' ') {
                out.push(' ');
            }
            i = end;
        } else if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            let end = sql[i + 2..].find("*/").map_or(bytes.len(), |e| i + 2 + e + 2);
            if keep_comments {
                out.push_str(&sql[i..end]);
            } else if !out.ends_with(' ') {
                out.push(' ');
            }
            i = end;
        } else if c == b'\'' {
            // '' inside a literal is an escaped quote: seen as two literals, copied whole.
            let end = sql[i + 1..].find('\'').map_or(bytes.len(), |e| i + 1 + e + 1);
            out.push_str(&sql[i..end]);
            i = end;
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'.') {
                i += 1;
            }
            let word = &sql[start..i];
            let preceded_by_dot = start > 0 && bytes[start - 1] == b'.';
            match name(word) {
                Some(n) if !preceded_by_dot => out.push_str(&n),
                _ => out.push_str(word),
            }
        } else if !keep_comments && c.is_ascii_whitespace() {
            if !out.ends_with(' ') {
                out.push(' ');
            }
            i += 1;
        } else {
            let len = sql[i..].chars().next().map_or(1, char::len_utf8);
            out.push_str(&sql[i..i + len]);
            i += len;
        }
    }
    out
}

fn strip_comments_and_strings(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                out.push('\n');
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
                out.push(' ');
            }
            '\'' => {
                // '' inside a literal is an escaped quote: the loop sees it as two literals.
                for n in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                }
                out.push_str("''");
            }
            other => out.push(other),
        }
    }
    out
}

/// Every `*.sql` file below `dir`, parsed, in path order.
pub fn load_dir(dir: &Path) -> anyhow::Result<Vec<Model>> {
    let mut paths = Vec::new();
    collect_sql(dir, &mut paths).with_context(|| format!("reading the models in {}", dir.display()))?;
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        files.push((path, text));
    }
    parse_all(&files)
}

fn parse_all(files: &[(PathBuf, String)]) -> anyhow::Result<Vec<Model>> {
    let mut models: Vec<Model> = Vec::new();
    for (path, text) in files {
        let model = Model::parse(path, text)?;
        if let Some(other) = models.iter().find(|m| m.name == model.name) {
            bail!("{} and {} both define the model {}", other.path.display(), path.display(), model.name);
        }
        models.push(model);
    }
    Ok(models)
}

/// The models a build reads: those shipped with liner (the binary carries their text),
/// and a folder of one's own, whose models add to the shipped ones; one of the same
/// name replaces the shipped one.
#[derive(Debug, Clone, Default)]
pub struct ModelSet {
    /// (where the model says it comes from, its text).
    pub shipped: Vec<(PathBuf, String)>,
    pub own: Option<PathBuf>,
}

impl ModelSet {
    /// Only the models in `dir`.
    pub fn only(dir: PathBuf) -> ModelSet {
        ModelSet { shipped: Vec::new(), own: Some(dir) }
    }

    pub fn load(&self) -> anyhow::Result<Vec<Model>> {
        let mut models = parse_all(&self.shipped)?;
        if let Some(dir) = &self.own {
            for own in load_dir(dir)? {
                models.retain(|m| m.name != own.name);
                models.push(own);
            }
        }
        Ok(models)
    }
}

fn collect_sql(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_sql(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "sql") {
            out.push(path);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_names_the_model_its_key_and_assertions() {
        let sql = "-- model: canonical.releases\n-- key: release_id\n-- max_length: gtin 14, country 2\n\
                   -- assert: not_null(title), unique(gtin, title)\n\
                   select * from staging.deezer_albums d join staging.musicbrainz_releases m on m.gtin = d.gtin;\n";
        let m = Model::parse(Path::new("sql/canonical/releases.sql"), sql).unwrap();
        assert_eq!(m.name, "canonical.releases");
        assert_eq!(m.key, vec!["release_id"]);
        assert_eq!(m.max_length_list(), "gtin=14,country=2");
        assert_eq!(
            m.assertions,
            vec![
                Assertion::Unique(vec!["release_id".into()]),
                Assertion::NotNull(vec!["release_id".into()]),
                Assertion::NotNull(vec!["title".into()]),
                Assertion::Unique(vec!["gtin".into(), "title".into()]),
            ]
        );
        assert_eq!(m.refs, vec!["staging.deezer_albums", "staging.musicbrainz_releases"]);
        assert!(!m.sql.ends_with(';'));
    }

    #[test]
    fn an_unknown_header_key_is_an_error_naming_the_file_and_the_key_and_prose_is_not_a_key() {
        let e = Model::parse(Path::new("sql/staging/a.sql"), "-- key: id\n-- asert: not_null(x)\nselect 1 as id")
            .unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("sql/staging/a.sql") && msg.contains("`-- asert:`"), "{msg}");
        let m =
            Model::parse(Path::new("sql/staging/a.sql"), "-- Genres: tags.\n-- A view: yes.\nselect 1 as id").unwrap();
        assert_eq!(m.name, "staging.a", "a capitalised word before a colon is prose");
    }

    #[test]
    fn a_provider_declares_its_canonical_columns_as_aggregates_with_an_optional_cast() {
        let sql = "-- model: staging.deezer_track_items\n-- coverage: dz\n\
                   -- canonical: deezer_track_id = min(try_cast(item_id as bigint))\n\
                   -- canonical: deezer_rank = max(popularity)::bigint\nselect 1 as item_id";
        let m = Model::parse(Path::new("sql/staging/deezer_track_items.sql"), sql).unwrap();
        assert_eq!(m.coverage.as_deref(), Some("dz"));
        let cols: Vec<(&str, &str, &str)> =
            m.canonical.iter().map(|c| (c.name.as_str(), c.aggregate.as_str(), c.cast.as_str())).collect();
        assert_eq!(
            cols,
            [
                ("deezer_track_id", "min(try_cast(item_id as bigint))", ""),
                ("deezer_rank", "max(popularity)", "::bigint")
            ]
        );
        for bad in ["deezer_rank max(popularity)", "deezer_rank = popularity", "deezer_rank = max(popularity) + 1"] {
            let e =
                Model::parse(Path::new("sql/staging/x.sql"), &format!("-- canonical: {bad}\nselect 1")).unwrap_err();
            assert!(format!("{e:#}").contains("sql/staging/x.sql"), "{bad}: {e:#}");
        }
    }

    #[test]
    fn a_model_is_a_table_unless_its_header_says_view() {
        let m = Model::parse(Path::new("sql/intermediate/a.sql"), "-- materialized: view\nselect 1 as x").unwrap();
        assert_eq!(m.materialized, Materialized::View);
        let m = Model::parse(Path::new("sql/intermediate/a.sql"), "select 1 as x").unwrap();
        assert_eq!(m.materialized, Materialized::Table);
        let e = Model::parse(Path::new("sql/intermediate/a.sql"), "-- materialized: ephemeral\nselect 1").unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("sql/intermediate/a.sql") && msg.contains("ephemeral"), "{msg}");
    }

    #[test]
    fn without_a_header_the_name_comes_from_folder_and_file() {
        let m = Model::parse(Path::new("sql/staging/deezer_albums.sql"), "select 1 as x").unwrap();
        assert_eq!(m.name, "staging.deezer_albums");
        assert!(m.key.is_empty() && m.assertions.is_empty() && m.refs.is_empty());
    }

    #[test]
    fn names_in_comments_strings_and_aliases_are_not_references() {
        let sql = "-- reads staging.old\nselect s.title, 'canonical.fake' as t, body->>'$.staging.x' /* marts.y */\n\
                   from raw.deezer_albums s, CANONICAL.Links l";
        assert_eq!(references(sql), vec!["raw.deezer_albums", "canonical.links"]);
    }

    #[test]
    fn references_are_replaced_outside_comments_strings_and_column_names() {
        let sql =
            "-- reads raw.a\nselect s.raw.a, 'raw.a', r.x from raw.a r join RAW.A using (x) /* raw.a */ where y = 'é'";
        let to = [("raw.a".to_string(), "incoming.raw_a".to_string())].into();
        assert_eq!(
            replace_references(sql, &to),
            "-- reads raw.a\nselect s.raw.a, 'raw.a', r.x from incoming.raw_a r join incoming.raw_a using (x) /* raw.a */ where y = 'é'"
        );
    }

    #[test]
    fn a_merged_model_is_incremental_by_key_unless_its_header_says_full() {
        let merged = "-- key: id\n-- merge: newest\nselect 1 as id, now() as fetched_at";
        let m = Model::parse(Path::new("sql/staging/a.sql"), merged).unwrap();
        assert_eq!((m.kind(), m.answers_table().as_str()), (Kind::IncrementalByKey, "incremental.staging__a"));
        assert!(m.answer_rows.as_deref().is_some_and(|r| r.starts_with("-- key: id")));
        let m = Model::parse(Path::new("sql/staging/a.sql"), &format!("-- kind: full\n{merged}")).unwrap();
        assert_eq!(m.kind(), Kind::Full);
        let m = Model::parse(Path::new("sql/staging/a.sql"), "-- materialized: view\nselect 1").unwrap();
        assert_eq!(m.kind(), Kind::View);
        let m = Model::parse(Path::new("sql/staging/a.sql"), "-- kind: incremental by release_id\nselect 1").unwrap();
        assert_eq!(
            (m.kind(), m.partition.as_ref().map(|p| p.to_string())),
            (Kind::IncrementalByPartition, Some("release_id".into()))
        );
        let by_other = "-- kind: incremental by canonical_id = canonical.clusters.cluster_id\nselect 1";
        let m = Model::parse(Path::new("sql/canonical/a.sql"), by_other).unwrap();
        let p = m.partition.unwrap();
        assert_eq!((p.column.as_str(), p.values.as_str()), ("canonical_id", "canonical.clusters.cluster_id"));
        for wrong in ["canonical_id = cluster_id", "canonical_id = ", "a b"] {
            let text = format!("-- kind: incremental by {wrong}\nselect 1");
            assert!(Model::parse(Path::new("sql/canonical/a.sql"), &text).is_err(), "{wrong} is not a partition");
        }
        assert_eq!(Model::parse(Path::new("sql/staging/a.sql"), "select 1").unwrap().kind(), Kind::Full);
        let e = Model::parse(Path::new("sql/staging/a.sql"), "-- kind: sometimes\nselect 1").unwrap_err();
        assert!(format!("{e:#}").contains("sql/staging/a.sql") && format!("{e:#}").contains("sometimes"), "{e:#}");
    }

    #[test]
    fn a_models_fingerprint_changes_with_its_sql_and_header_and_not_with_its_comments_elsewhere() {
        let print = |text: &str| Model::parse(Path::new("sql/staging/a.sql"), text).unwrap().fingerprint();
        let base = print("-- key: id\nselect 1 as id");
        assert_eq!(base, print("-- key: id\nselect 1 as id"));
        assert_ne!(base, print("-- key: id\nselect 2 as id"));
        assert_ne!(base, print("-- key: id\n-- assert: not_null(x)\nselect 1 as id"));
        assert_ne!(base, print("-- key: id\n-- materialized: view\nselect 1 as id"));
        assert_eq!(base, print("-- key: id\n-- Reworded prose.\nselect 1 as id -- and a note"));
        assert_ne!(base, print("-- key: id\nselect 1 as id where '--' = '--'"));
    }

    #[test]
    fn bad_headers_are_errors_that_name_the_file() {
        let e = Model::parse(Path::new("sql/x/bad.sql"), "select 1").unwrap_err().to_string();
        assert!(e.contains("sql/x/bad.sql") && e.contains("x.bad"), "{e}");
        let e =
            Model::parse(Path::new("sql/staging/a.sql"), "-- assert: unique(id), distinct(x)\nselect 1").unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("sql/staging/a.sql") && msg.contains("distinct"), "{msg}");
        let e = Model::parse(Path::new("sql/staging/a.sql"), "-- max_length: isrc twelve\nselect 1").unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("sql/staging/a.sql") && msg.contains("isrc twelve"), "{msg}");
        let e = Model::parse(Path::new("sql/staging/a.sql"), "-- key: id\n-- merge: oldest\nselect 1").unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("sql/staging/a.sql") && msg.contains("\"oldest\""), "{msg}");
        let e = Model::parse(Path::new("sql/staging/a.sql"), "-- merge: newest\nselect 1").unwrap_err();
        assert!(format!("{e:#}").contains("wants a -- key:"), "{e:#}");
        let e = Model::parse(Path::new("sql/staging/a.sql"), "-- key: a, b\n-- merge: newest\nselect 1").unwrap_err();
        let msg = format!("{e:#}");
        assert!(msg.contains("sql/staging/a.sql") && msg.contains("-- key: of one column"), "{msg}");
        assert!(Model::parse(Path::new("sql/staging/a.sql"), "-- key: a, b\n-- merge: newest row\nselect 1").is_ok());
    }
}

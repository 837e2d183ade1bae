//! What the binary carries: the models and schedules shipped with liner and a starting
//! liner.toml, so that a binary copied to a server, or installed with `cargo install`
//! and its source removed, needs no source tree.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};

static SQL: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/sql");
static SCHEDULES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/schedules");

/// The starting configuration `liner init` writes: every provider, commented.
pub const LINER_TOML: &str = include_str!("../liner.toml");

/// Where a shipped file says it comes from in errors: `<shipped>/sql/staging/x.sql`.
const ORIGIN: &str = "<shipped>";

/// The shipped models: (path, text), in path order.
pub fn models() -> Vec<(PathBuf, String)> {
    files(&SQL, "sql", "sql")
}

/// The shipped schedules: (path, text), in path order.
pub fn schedules() -> Vec<(PathBuf, String)> {
    files(&SCHEDULES, "schedules", "toml")
}

/// Whether `path` names a shipped file rather than one on disk.
pub fn is_shipped(path: &Path) -> bool {
    path.starts_with(ORIGIN)
}

fn files(dir: &'static Dir<'static>, root: &str, ext: &str) -> Vec<(PathBuf, String)> {
    fn walk(dir: &'static Dir<'static>, ext: &str, out: &mut Vec<&'static include_dir::File<'static>>) {
        out.extend(dir.files().filter(|f| f.path().extension().is_some_and(|e| e == ext)));
        for d in dir.dirs() {
            walk(d, ext, out);
        }
    }
    let mut found = Vec::new();
    walk(dir, ext, &mut found);
    let mut out: Vec<(PathBuf, String)> = found
        .into_iter()
        .map(|f| {
            let text = f.contents_utf8().unwrap_or_else(|| panic!("{} is not UTF-8", f.path().display()));
            (Path::new(ORIGIN).join(root).join(f.path()), text.to_string())
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binary_carries_every_model_and_schedule_of_the_source_tree() {
        let on_disk = |dir: &str, ext: &str| {
            let mut n = 0;
            let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)];
            while let Some(d) = stack.pop() {
                for e in std::fs::read_dir(d).unwrap().flatten() {
                    let p = e.path();
                    if p.is_dir() {
                        stack.push(p);
                    } else if p.extension().is_some_and(|x| x == ext) {
                        n += 1;
                    }
                }
            }
            n
        };
        assert_eq!(models().len(), on_disk("sql", "sql"));
        assert_eq!(schedules().len(), on_disk("schedules", "toml"));
        let (path, text) = models().into_iter().find(|(p, _)| p.ends_with("staging/deezer_albums.sql")).unwrap();
        assert!(is_shipped(&path) && text.contains("-- model: staging.deezer_albums"), "{}", path.display());
    }
}

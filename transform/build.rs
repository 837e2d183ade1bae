// liner's own fingerprint (`changes::ENGINE`): a hash of the code that computes the
// warehouse besides the SQL files (this crate's Rust models and SQL functions, the
// linker, the normalizer). A warehouse built by other code is rebuilt whole. Cargo
// watches the folders, so an added file counts too.
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn main() {
    let mut paths = Vec::new();
    for dir in ["src", "../link/src", "../normalize/src"] {
        println!("cargo:rerun-if-changed={dir}");
        files(Path::new(dir), &mut paths);
    }
    paths.sort();
    // SipHash with fixed keys: the same files give the same hash with one toolchain;
    // another toolchain may give another, which costs one full build, not a wrong one.
    #[allow(deprecated)]
    let mut h = std::hash::SipHasher::new();
    for p in &paths {
        p.to_string_lossy().hash(&mut h);
        std::fs::read(p).unwrap_or_default().hash(&mut h);
    }
    println!("cargo:rustc-env=LINER_ENGINE_FINGERPRINT={:016x}", h.finish());
}

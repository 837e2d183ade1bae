// The binary carries sql/ and schedules/ (src/shipped.rs). include_dir sees a changed
// file but not an added one on stable Rust (include_dir#120), so cargo watches both
// folders whole.
fn main() {
    println!("cargo:rerun-if-changed=sql");
    println!("cargo:rerun-if-changed=schedules");
    println!("cargo:rerun-if-changed=liner.toml");
}

//! A run stopped dead and started again must end where a clean run ends: the same
//! rows in every table of the warehouse, whatever order its answers landed in.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::common::lake_files;

fn demo(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_liner"));
    c.args(["demo", "--artists", "2", "--data-dir"]).arg(data).stderr(Stdio::null());
    c
}

/// Where a run is killed: an event of the run, never a time.
#[derive(Debug, Clone, Copy)]
enum KillPoint {
    /// Extracting: so many more batches landed than when it started.
    Landed(usize),
    /// Transforming: the new warehouse is being written.
    Building,
    /// Loading: the run says it has begun.
    Loading,
}

/// Starts the demo on `data` and SIGKILLs it when it reaches `point`.
fn kill_at(data: &Path, point: KillPoint) {
    let before = lake_files(&data.join("raw"));
    let mut child: Child = demo(data).stdout(Stdio::piped()).spawn().unwrap();
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // Generous: on a busy machine the demo is slow, but it gets there or fails.
    let deadline = Instant::now() + Duration::from_secs(900);
    let mut said = Vec::new();
    loop {
        said.extend(lines.try_iter());
        let reached = match point {
            KillPoint::Landed(n) => lake_files(&data.join("raw")) >= before + n,
            KillPoint::Building => data.join("warehouse.duckdb.building").exists(),
            KillPoint::Loading => said.iter().any(|l| l.starts_with("== load")),
        };
        if reached {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the demo ended ({status}) before {point:?}:\n{}", said.join("\n"));
        }
        assert!(Instant::now() < deadline, "the demo never reached {point:?}:\n{}", said.join("\n"));
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL: no flushing, no cleaning up
    child.wait().unwrap();
}

#[test]
fn a_demo_killed_a_dozen_times_and_resumed_equals_a_clean_run_row_for_row() {
    let dir = tempfile::tempdir().unwrap();
    let (clean, resumed) = (dir.path().join("clean"), dir.path().join("resumed"));
    let out = demo(&clean).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    // Ten kills while extracting, spread over about half of what a whole run lands (a
    // resumed run asks again only for what had not landed), then one while building
    // the warehouse and one as the load begins.
    let step = (lake_files(&clean.join("raw")) / 20).max(1);
    let points = [KillPoint::Landed(step); 10].into_iter().chain([KillPoint::Building, KillPoint::Loading]);
    for point in points {
        kill_at(&resumed, point);
    }
    let out = demo(&resumed).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    let differ = crate::common::differences(
        &clean.join("warehouse.duckdb"),
        &resumed.join("warehouse.duckdb"),
        crate::common::Compare { lineage_apart: true, skip: &[] },
    );
    assert!(differ.is_empty(), "the resumed run differs from the clean one:\n{}", differ.join("\n"));
}

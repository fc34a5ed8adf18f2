//! `trustsim sensitivity` end to end on a small design.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use polars::prelude::{DataType, ParquetReader, SerReader};
use tempfile::TempDir;

fn quick() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios/quick.toml")
        .display()
        .to_string()
}

fn run(dir: &Path, method: &str, samples: usize) -> (PathBuf, String) {
    let file = dir.join(format!("{method}.toml"));
    std::fs::write(
        &file,
        format!(
            "[sensitivity]\nbase = {:?}\nmethod = \"{method}\"\nsamples = {samples}\nreplications = 1\nbootstrap = 50\noutputs = [\"engagement_mean\", \"quality_index\"]\n[sensitivity.parameters]\n\"oversight.punitiveness\" = {{ min = 0.1, max = 0.9 }}\n\"staff.leader_weight\" = {{ min = 0.5, max = 3.0 }}\n",
            quick()
        ),
    )
    .unwrap();
    let out = dir.join(method);
    let o = cargo_bin_cmd!("trustsim")
        .args([
            "sensitivity",
            file.to_str().unwrap(),
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (out, String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn morris_and_sobol_write_indices_and_charts() {
    let dir = TempDir::new().unwrap();
    for (method, samples, units, indices) in [
        ("morris", 4, 12, vec!["mu_star", "mu", "sigma"]),
        ("sobol", 4, 16, vec!["first_order", "total"]),
    ] {
        let (out, stdout) = run(dir.path(), method, samples);
        assert!(
            stdout.contains(&format!("{units} of {units} units to run")),
            "{stdout}"
        );
        let df = ParquetReader::new(std::fs::File::open(out.join("sensitivity.parquet")).unwrap())
            .finish()
            .unwrap();
        assert_eq!(
            df.height(),
            4 * indices.len(),
            "two outputs x two parameters x each index"
        );
        let kinds = df.column("index").unwrap().cast(&DataType::String).unwrap();
        for i in &indices {
            assert!(
                kinds.str().unwrap().iter().any(|k| k == Some(*i)),
                "{method}: no index {i}"
            );
        }
        for output in ["engagement_mean", "quality_index"] {
            assert!(
                out.join("charts")
                    .join(format!("{method}_{output}.png"))
                    .exists()
            );
            assert!(
                out.join("charts")
                    .join(format!("{method}_{output}.svg"))
                    .exists()
            );
        }
    }
}

#[test]
fn the_leader_weight_drives_engagement_more_than_a_lever_with_no_effect() {
    // staff.leader_weight acts on every team every month; the regulator's
    // style acts through rare escalations: screening must rank them so.
    let dir = TempDir::new().unwrap();
    let (out, _) = run(dir.path(), "morris", 6);
    let df = ParquetReader::new(std::fs::File::open(out.join("sensitivity.parquet")).unwrap())
        .finish()
        .unwrap();
    let o = df.column("output").unwrap().str().unwrap();
    let p = df.column("parameter").unwrap().str().unwrap();
    let kind = df.column("index").unwrap().cast(&DataType::String).unwrap();
    let kind = kind.str().unwrap();
    let mu = df.column("estimate").unwrap().f64().unwrap();
    let get = |param: &str| {
        (0..df.height())
            .find(|&i| {
                o.get(i) == Some("engagement_mean")
                    && p.get(i) == Some(param)
                    && kind.get(i) == Some("mu_star")
            })
            .map(|i| mu.get(i).unwrap())
            .unwrap()
    };
    assert!(get("staff.leader_weight") > get("oversight.punitiveness"));
}

#[test]
fn a_bad_sensitivity_file_names_the_problem() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, format!("[sensitivity]\nbase = {:?}\nmethod = \"morris\"\nsamples = 4\noutputs = [\"engagement\"]\n[sensitivity.parameters]\n\"oversight.punitiveness\" = {{ min = 0.1, max = 0.9 }}\n", quick())).unwrap();
    let o = cargo_bin_cmd!("trustsim")
        .args(["sensitivity", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "s.toml: sensitivity.outputs: unknown metric `engagement`; allowed: engagement_mean"
        ),
        "{err}"
    );
}

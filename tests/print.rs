//! What a user sees on paper: a report of four runs printed to PDF by
//! headless Chromium shows every run's column of every table (issue 9:
//! tables were clipped at the second run when printed). Needs `chromium`
//! and `pdftotext` (poppler-utils), which `.ci/run` installs.

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_trustsim"))
}

fn run(dir: &Path, name: &str, punitiveness: &str) -> PathBuf {
    let file = dir.join(format!("{name}.toml"));
    let quick = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/quick.toml");
    std::fs::write(
        &file,
        format!(
            "extends = {:?}\n[run]\nname = {name:?}\n[oversight]\npunitiveness = {punitiveness}\n",
            quick.display().to_string()
        ),
    )
    .unwrap();
    let out = dir.join(name);
    let o = Command::new(bin())
        .arg("run")
        .arg(&file)
        .args(["--replications", "2", "--quiet", "--no-charts", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

#[test]
fn a_four_run_report_printed_to_pdf_shows_every_run_in_every_table() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let names = [
        "first_variant_alpha",
        "second_variant_beta",
        "third_variant_gamma",
        "fourth_variant_delta",
    ];
    let runs: Vec<PathBuf> = names
        .iter()
        .zip(["0.2", "0.4", "0.6", "0.8"])
        .map(|(n, p)| run(d, n, p))
        .collect();
    let html = d.join("report.html");
    let o = Command::new(bin())
        .arg("report")
        .args(&runs)
        .arg("--out")
        .arg(&html)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = d.join("report.pdf");
    let o = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", d.join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium is needed (.ci/run installs it)");
    assert!(pdf.exists(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext is needed (.ci/run installs poppler-utils)");
    let text = String::from_utf8_lossy(&o.stdout);
    // Key outcomes: every run's column header and a value in the last column.
    let key = text
        .split("Key outcomes")
        .nth(1)
        .expect("the key outcomes section is printed");
    let key = key.split("Calibration check").next().unwrap();
    for n in names {
        // A long name may wrap inside its header cell; its first part shows.
        let head = &n[..n.find('_').unwrap()];
        assert!(
            key.contains(head),
            "{n} is missing from the printed key outcomes:\n{key}"
        );
    }
    let staff_line = key
        .lines()
        .find(|l| l.contains("Staff engagement (0-10)"))
        .expect("the engagement row is printed");
    assert_eq!(
        staff_line.matches(" to ").count(),
        4,
        "all four runs' intervals on one printed row: {staff_line}"
    );
}

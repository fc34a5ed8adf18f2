//! What a user sees on paper: a report of four runs printed to PDF by
//! headless Chromium shows every run's column of every table (before,
//! tables were clipped at the second run when printed), on A4 pages unless
//! Letter is asked for, and a comparison report's table cells do not break
//! inside a word or between a number and its unit. Needs
//! `chromium`, `pdftotext` and `pdfinfo` (Debian packages chromium and
//! poppler-utils): installed on first use when the tests run as root, as
//! `.ci/run` does; otherwise the test fails saying how to install them.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use tempfile::TempDir;

/// Chromium, pdftotext and pdfinfo, installed on first use.
fn printing_tools() {
    support::debian_programs(
        &["chromium", "pdftotext", "pdfinfo"],
        &["chromium", "poppler-utils"],
    );
}

/// Prints `html` to `DIR/NAME.pdf` with headless Chromium, as a user
/// would; returns the PDF.
fn print_pdf(d: &Path, html: &Path, name: &str) -> PathBuf {
    printing_tools();
    let pdf = d.join(format!("{name}.pdf"));
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
        .expect("chromium runs");
    assert!(pdf.exists(), "{}", String::from_utf8_lossy(&o.stderr));
    pdf
}

/// The PDF's text, laid out as on the page (pdftotext -layout).
fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The page size line of `pdfinfo`: `595.28 x 841.89 pts (A4)`.
fn page_size(pdf: &Path) -> String {
    let o = Command::new("pdfinfo")
        .arg(pdf)
        .output()
        .expect("pdfinfo runs");
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Page size:"))
        .map(|l| l.trim().to_string())
        .unwrap_or_default()
}

/// Asserts that the PDF's pages are `name` (`A4`, `letter`) of `w` x `h`
/// points, as pdfinfo reads them (Chromium rounds A4 to whole CSS pixels:
/// 594.96 x 841.92 pts).
fn assert_paper(pdf: &Path, name: &str, (w, h): (f64, f64)) {
    let size = page_size(pdf);
    let nums: Vec<f64> = size
        .split_whitespace()
        .filter_map(|t| t.parse().ok())
        .collect();
    assert!(
        size.ends_with(&format!("pts ({name})"))
            && nums.len() == 2
            && (nums[0] - w).abs() < 1.0
            && (nums[1] - h).abs() < 1.0,
        "pages are {size:?}, not {name} ({w} x {h} pts)"
    );
}

const A4: (f64, f64) = (595.28, 841.89);
const LETTER: (f64, f64) = (612.0, 792.0);

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
    let pdf = print_pdf(d, &html, "report");
    assert_paper(&pdf, "A4", A4);
    let text = pdf_text(&pdf);
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

/// A comparison of quick.toml against a variant named `quick_dev` (the
/// development budget doubled) and one with a long name,
/// `policy_supportive_oversight` (punitiveness 0.2), two replications, in
/// `d/cmp`. The long name in a column header squeezed the other columns
/// until their cells broke inside a number (`10.1` over `%`).
fn comparison(d: &Path) -> PathBuf {
    let quick = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios/quick.toml");
    let variant = |name: &str, body: &str| {
        let file = d.join(format!("{name}.toml"));
        std::fs::write(
            &file,
            format!(
                "extends = {:?}\n[run]\nname = {name:?}\n{body}",
                quick.display().to_string()
            ),
        )
        .unwrap();
        file
    };
    let dev = variant(
        "quick_dev",
        "[development]\nbudget_share_of_paybill = 0.0004\n",
    );
    let oversight = variant(
        "policy_supportive_oversight",
        "[oversight]\npunitiveness = 0.2\n",
    );
    let out = d.join("cmp");
    let o = Command::new(bin())
        .arg("compare")
        .arg(&quick)
        .arg(&dev)
        .arg(&oversight)
        .args(["--replications", "2", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    out
}

#[test]
fn a_comparison_report_prints_on_a4_without_breaking_words_or_numbers() {
    let dir = TempDir::new().unwrap();
    let d = dir.path();
    let cmp = comparison(d);
    let html = d.join("cmp.html");
    let o = Command::new(bin())
        .arg("report")
        .arg(&cmp)
        .arg("--out")
        .arg(&html)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = print_pdf(d, &html, "cmp");
    // Regression: the reports printed on US Letter; NHS board papers are A4.
    assert_paper(&pdf, "A4", A4);
    let text = pdf_text(&pdf);
    let tables = text
        .split("Paired differences")
        .skip(1)
        .collect::<Vec<_>>()
        .join("\n");
    assert!(tables.contains("Staff engagement"), "{text}");
    // Regression: cells broke inside words and numbers (`quick_d|ev`,
    // `10.7|%`). A name may break only after an underscore, and a unit
    // stays with its number.
    for (i, _) in tables.match_indices("quick_d") {
        assert!(
            tables[i..].starts_with("quick_dev"),
            "a broken name: {}",
            &tables[i..(i + 20).min(tables.len())]
        );
    }
    for line in tables.lines() {
        let tokens: Vec<&str> = line.split_whitespace().collect();
        for (k, t) in tokens.iter().enumerate() {
            if *t == "%" || *t == "pp" || t.starts_with("pp,") || t.starts_with("pp)") {
                let before = if k > 0 { tokens[k - 1] } else { "" };
                assert!(
                    before.ends_with(|c: char| c.is_ascii_digit()),
                    "a unit apart from its number: {line:?}"
                );
            }
        }
    }
    // Letter when asked for.
    let letter = d.join("letter.html");
    let o = Command::new(bin())
        .arg("report")
        .arg(&cmp)
        .args(["--paper", "letter", "--out"])
        .arg(&letter)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = print_pdf(d, &letter, "letter");
    assert_paper(&pdf, "letter", LETTER);
}

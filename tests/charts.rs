//! End-to-end tests of the board-paper charts and the HTML report through
//! the `trustsim` binary: `run` draws charts unless `--no-charts`, `plot`
//! redraws and overlays them, `report` writes one self-contained file.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use tempfile::TempDir;

/// Every chart's file stem and (part of) its title, as drawn in the SVG.
/// The runs here are of quick.toml (20 trusts at 2 % of staff): titles say
/// so, and only the full England baseline's say "in England".
const CHARTS: [(&str, &str); 9] = [
    (
        "fan_engagement",
        "Staff engagement in 20 trusts at 2 % of staff",
    ),
    (
        "fan_leaver_rate",
        "Staff leaving rate in 20 trusts at 2 % of staff",
    ),
    (
        "fan_sickness",
        "Sickness absence in 20 trusts at 2 % of staff",
    ),
    (
        "fan_quality",
        "Quality of care index in 20 trusts at 2 % of staff",
    ),
    ("fan_surplus", "Trust finances in 20 trusts at 2 % of staff"),
    (
        "ceo_tenure_survival",
        "How long chief executives stay in post",
    ),
    (
        "outcomes_by_trust_type",
        "Staff engagement and quality of care by type of trust",
    ),
    (
        "engagement_vs_mortality",
        "Staff engagement and mortality by trust",
    ),
    (
        "outcomes_by_ceo_turnover",
        "Trust outcomes by number of chief executives",
    ),
];

fn scenario(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// Runs the quick scenario into `dir/name` and returns the run folder.
fn run(dir: &Path, name: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(name);
    cargo_bin_cmd!("trustsim")
        .arg("run")
        .arg(scenario("quick.toml"))
        .arg("--out")
        .arg(&out)
        .args(["--quiet", "--months", "36"])
        .args(extra)
        .assert()
        .success();
    out
}

fn trustsim(args: &[&std::ffi::OsStr], cwd: &Path) -> String {
    let out = cargo_bin_cmd!("trustsim")
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Checks one PNG: signature, IHDR, print width.
fn assert_png(path: &Path) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        bytes.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    assert_eq!(&bytes[12..16], b"IHDR", "{}", path.display());
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert!(width >= 2000, "{} is {width} px wide", path.display());
    assert!(height > 1000, "{} is {height} px high", path.display());
    assert!(bytes.len() > 20_000, "{} looks empty", path.display());
}

/// Reads one SVG and checks it is a whole SVG document with its title.
fn read_svg(path: &Path, title: &str) -> String {
    let svg = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let start = svg.trim_start();
    assert!(
        start.starts_with("<svg") || start.starts_with("<?xml"),
        "{} does not start as SVG",
        path.display()
    );
    assert!(svg.trim_end().ends_with("</svg>"), "{}", path.display());
    assert_eq!(
        svg.matches("<text").count(),
        svg.matches("</text>").count(),
        "{}: unbalanced text elements",
        path.display()
    );
    assert!(
        svg.contains(title),
        "{} does not contain its title {title:?}",
        path.display()
    );
    svg
}

/// The median across replications of the CEO tenure in a run's summary.
fn row_p50(summary: &[trustsim::output::SummaryRow]) -> f64 {
    summary
        .iter()
        .find(|r| r.metric == "ceo_tenure_median_years")
        .unwrap()
        .p50
}

/// Every chart exists as PNG and SVG; returns the SVG texts by stem.
fn assert_all_charts(dir: &Path) -> Vec<(String, String)> {
    CHARTS
        .iter()
        .map(|(stem, title)| {
            assert_png(&dir.join(format!("{stem}.png")));
            let svg = read_svg(&dir.join(format!("{stem}.svg")), title);
            (stem.to_string(), svg)
        })
        .collect()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != ".lock") // the folder's lock, held while a command writes
        .collect();
    v.sort();
    v
}

#[test]
fn a_run_draws_every_chart_as_print_png_and_svg_with_caption() {
    let tmp = TempDir::new().unwrap();
    let out = run(tmp.path(), "quick", &["--replications", "2"]);
    let charts = out.join("charts");
    let svgs = assert_all_charts(&charts);
    // Nothing else in the folder: no partial files left behind.
    assert_eq!(files_in(&charts).len(), 2 * CHARTS.len());
    for (stem, svg) in &svgs {
        assert!(
            svg.contains("Scenario: quick; 2 replications, seed 20260101"),
            "{stem}: no provenance caption"
        );
        assert!(
            !svg.contains("single replication"),
            "{stem}: unexpected note"
        );
        assert!(
            svg.contains("20 trusts at 2 % of their staff (not the full England baseline)")
                && !svg.contains("in England"),
            "{stem}: the caption does not state the run's scope"
        );
    }
    let fan = &svgs[0].1;
    assert!(fan.contains("Middle 50 % of replications"));
    assert!(
        fan.contains("Staff engagement (score, 0-10)"),
        "axis label with unit"
    );
    let km = &svgs[5].1;
    // Regression: the headline said "CEO tenure, KM median 2.92 years" and
    // the chart "Median 2.7 years" on the same run. Both are now the median
    // across replications of each replication's Kaplan-Meier median.
    let summary = trustsim::output::read_summary(&out.join("summary.parquet")).unwrap();
    let m = trustsim::metrics::metric("ceo_tenure_median_years").unwrap();
    let headline = format!("Median {} years", m.format(row_p50(&summary)));
    assert!(
        km.contains(&headline),
        "the chart does not mark the headline's {headline}"
    );
    // No evidence line: the published tenure figures are of sitting CEOs'
    // time in post, not of completed tenures, and the caption says so.
    assert!(!km.contains("Evidence: median about 3 years"));
    assert!(km.contains("No published figure describes completed tenures"));

    // `plot` redraws the same charts from the parquet files alone.
    let before = std::fs::read(charts.join("fan_engagement.svg")).unwrap();
    std::fs::remove_dir_all(&charts).unwrap();
    let printed = trustsim(&["plot".as_ref(), out.as_os_str()], tmp.path());
    assert!(printed.contains("9 charts"), "{printed}");
    assert_eq!(
        std::fs::read(charts.join("fan_engagement.svg")).unwrap(),
        before,
        "charts are reproducible"
    );
}

#[test]
fn a_single_replication_draws_without_bands_and_says_so() {
    let tmp = TempDir::new().unwrap();
    let out = run(tmp.path(), "single", &["--replications", "1"]);
    let svgs = assert_all_charts(&out.join("charts"));
    let fan = &svgs[0].1;
    assert!(
        fan.contains("single replication: no uncertainty bands"),
        "no note on the fan chart"
    );
    assert!(!fan.contains("Middle 50 % of replications"));
    assert!(fan.contains("1 replication, seed"));
}

#[test]
fn no_charts_skips_the_charts_folder() {
    let tmp = TempDir::new().unwrap();
    let out = run(tmp.path(), "bare", &["--replications", "1", "--no-charts"]);
    assert!(!out.join("charts").exists());
    assert_eq!(
        files_in(&out),
        [
            "ceo_spells.parquet",
            "exec_spells.parquet",
            "inspections.parquet",
            "manifest.json",
            "replications.parquet",
            "summary.parquet",
            "trust_months.parquet",
            "trusts.parquet"
        ]
    );
}

#[test]
fn plot_overlays_several_runs_and_report_is_one_self_contained_file() {
    let tmp = TempDir::new().unwrap();
    let a = run(tmp.path(), "quick", &["--replications", "2", "--no-charts"]);
    let scen = tmp.path().join("supportive.toml");
    std::fs::write(
        &scen,
        format!(
            "extends = {:?}\n[run]\nname = \"supportive\"\n[oversight]\npunitiveness = 0.2\n",
            scenario("quick.toml").display().to_string()
        ),
    )
    .unwrap();
    let b = tmp.path().join("supportive");
    cargo_bin_cmd!("trustsim")
        .arg("run")
        .arg(&scen)
        .arg("--out")
        .arg(&b)
        .args([
            "--quiet",
            "--months",
            "36",
            "--replications",
            "2",
            "--no-charts",
        ])
        .assert()
        .success();

    // Default folder for several runs: output/plot-<a>-vs-<b>/ (relative to
    // the working directory).
    trustsim(&["plot".as_ref(), a.as_os_str(), b.as_os_str()], tmp.path());
    let overlay = tmp.path().join("output").join("plot-quick-vs-supportive");
    for (stem, svg) in assert_all_charts(&overlay) {
        assert!(
            svg.contains("quick") && svg.contains("supportive"),
            "{stem}: legend or caption lacks a scenario name"
        );
        assert!(svg.contains("Scenarios: quick (2 replications"), "{stem}");
    }

    // One run: RUN_DIR/report.html.
    trustsim(&["report".as_ref(), a.as_os_str()], tmp.path());
    let html = std::fs::read_to_string(a.join("report.html")).unwrap();
    assert_self_contained(&html);
    assert!(html.contains("quick"));
    assert!(
        !html.contains("in England")
            && html.contains(
                "quick: 20 trusts at 2 % of their staff (not the full England baseline)."
            ),
        "the report claims England or does not state the run's scope"
    );

    // Several runs, explicit file.
    let file = tmp.path().join("both.html");
    trustsim(
        &[
            "report".as_ref(),
            a.as_os_str(),
            b.as_os_str(),
            "--out".as_ref(),
            file.as_os_str(),
        ],
        tmp.path(),
    );
    let html = std::fs::read_to_string(&file).unwrap();
    assert_self_contained(&html);
    assert!(
        html.contains("<th class=\"num\">quick</th>")
            && html.contains("<th class=\"num\">supportive</th>"),
        "one column per run in the key outcomes"
    );
    assert!(html.contains("<td>0.2</td>"), "punitiveness setting");
}

/// One HTML file with the tables, the charts inline and no external reference.
fn assert_self_contained(html: &str) {
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.trim_end().ends_with("</html>"));
    for bad in [
        "http://",
        "https://",
        "src=\"http",
        "<link",
        "<script",
        "url(",
        "@import",
    ] {
        assert!(!html.contains(bad), "report contains {bad:?}");
    }
    assert!(
        html.contains("<table class=\"headline\">"),
        "headline table"
    );
    assert!(html.contains("Staff leaving per year"));
    assert!(
        html.contains("<table class=\"calibration\">"),
        "calibration table"
    );
    assert!(html.contains("CEO tenure, KM median (years)"));
    assert!(html.contains("about 2-3 years"));
    assert_eq!(
        html.matches("<svg").count(),
        CHARTS.len(),
        "every chart inline"
    );
    for (stem, title) in CHARTS {
        assert!(html.contains(&format!("id=\"{stem}\"")), "{stem}");
        assert!(html.contains(title), "{title}");
    }
    assert!(html.contains("Staff scale"));
    assert!(html.contains("Report written 2"), "date in the footer");
    assert!(html.contains("scenario hash <code>"), "provenance footer");
}

//! The documentation lives with the code: every parameter of the model is
//! listed in `docs/ODD.md` under its scenario key with its current default
//! and the description its declaration carries.

use std::collections::BTreeMap;

use trustsim::model::params::RawParams;

/// Dotted key -> (default, meaning) cells of the parameter tables in the ODD.
fn documented() -> BTreeMap<String, (String, String)> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ODD.md")).unwrap();
    text.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells.len() > 4 && cells[1].starts_with('`') && cells[1].ends_with('`')).then(|| {
                (
                    cells[1].trim_matches('`').to_string(),
                    (cells[2].trim_matches('`').to_string(), cells[3].to_string()),
                )
            })
        })
        .collect()
}

#[test]
fn every_parameter_is_documented_with_its_default_and_meaning() {
    let params = RawParams::default().describe();
    let docs = documented();
    let mut problems = vec![];
    for p in &params {
        match docs.get(&p.key) {
            None => problems.push(format!("{} is not in docs/ODD.md", p.key)),
            Some((d, _)) if *d != p.value => {
                problems.push(format!("{}: docs say {d}, code says {}", p.key, p.value))
            }
            Some((_, m)) if *m != p.description => problems.push(format!(
                "{}: docs mean `{m}`, code says `{}`",
                p.key, p.description
            )),
            Some(_) => {}
        }
    }
    let sections: Vec<&str> = params
        .iter()
        .filter_map(|p| p.key.split('.').next())
        .collect();
    for key in docs.keys() {
        let section = key.split('.').next().unwrap_or_default();
        if key.contains('.') && sections.contains(&section) && !params.iter().any(|p| p.key == *key)
        {
            problems.push(format!("docs/ODD.md lists {key}, which is not a parameter"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Checks (or with `TRUSTSIM_UPDATE_README=1` rewrites) the generated part
/// of the README between `<!-- NAME:start -->` and `<!-- NAME:end -->`.
fn generated_section(name: &str, want: &str) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let (start, end) = (
        format!("<!-- {name}:start -->\n"),
        format!("<!-- {name}:end -->"),
    );
    let i = readme.find(&start).expect("README has the markers") + start.len();
    let j = readme.find(&end).unwrap();
    if std::env::var_os("TRUSTSIM_UPDATE_README").is_some() {
        let updated = format!("{}{want}{}", &readme[..i], &readme[j..]);
        std::fs::write(path, updated).unwrap();
        return;
    }
    assert!(
        readme[i..j] == *want,
        "the README's {name} section is out of date; run TRUSTSIM_UPDATE_README=1 cargo test --test docs"
    );
}

#[test]
fn the_readme_data_dictionary_and_metrics_match_their_definitions() {
    use trustsim::output::dictionary::{dictionary, markdown, metrics_markdown};
    generated_section("columns", &markdown(&dictionary()));
    generated_section("metrics", &metrics_markdown());
}

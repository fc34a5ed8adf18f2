//! The documentation lives with the code: every parameter of the model is
//! listed in `docs/ODD.md` under its scenario key with its current default.

use std::collections::BTreeMap;

use trustsim::model::Params;

/// Dotted key -> default as TOML would print it, for every leaf parameter.
fn leaves(prefix: &str, v: &toml::Value, out: &mut BTreeMap<String, String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, child) in t {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                leaves(&key, child, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.to_string());
        }
    }
}

/// Dotted key -> default cell of the parameter tables in the ODD.
fn documented() -> BTreeMap<String, String> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/ODD.md")).unwrap();
    text.lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells.len() > 3 && cells[1].starts_with('`') && cells[1].ends_with('`')).then(|| {
                (
                    cells[1].trim_matches('`').to_string(),
                    cells[2].trim_matches('`').to_string(),
                )
            })
        })
        .collect()
}

#[test]
fn every_parameter_is_documented_with_its_default() {
    let mut params = BTreeMap::new();
    leaves(
        "",
        &toml::Value::try_from(Params::default()).unwrap(),
        &mut params,
    );
    let docs = documented();
    let mut problems = vec![];
    for (key, default) in &params {
        match docs.get(key) {
            None => problems.push(format!("{key} is not in docs/ODD.md")),
            Some(d) if d != default => {
                problems.push(format!("{key}: docs say {d}, code says {default}"))
            }
            Some(_) => {}
        }
    }
    let sections: Vec<&str> = params.keys().filter_map(|k| k.split('.').next()).collect();
    for key in docs.keys() {
        let section = key.split('.').next().unwrap_or_default();
        if key.contains('.') && sections.contains(&section) && !params.contains_key(key) {
            problems.push(format!("docs/ODD.md lists {key}, which is not a parameter"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

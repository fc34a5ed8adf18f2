//! Checking a targeted entry's `trusts` and `where` against the scenario's
//! trusts: every code, region and ICB must exist (the error lists those
//! that do), a segment or rating target needs a month before it, and the
//! entry must reach at least one trust.

use super::error::{Location, Origin, ScenarioError, Violation};
use super::schema;
use crate::model::Params;
use crate::model::params::{Target, TrustFacts};

fn refuse(at: &Location, key: String, value: String, allowed: String) -> ScenarioError {
    ScenarioError::OutOfRange {
        violations: vec![Violation {
            origin: Origin::File(at.clone()),
            key,
            value,
            allowed,
        }],
    }
}

/// The distinct values of `f` over the trusts, in first-seen order.
fn distinct(facts: &[TrustFacts], f: impl Fn(&TrustFacts) -> Option<&String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in facts.iter().filter_map(f) {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    out
}

/// Refuses a name of `given` that is not in `valid`, listing `valid`.
fn known(
    given: &[String],
    valid: &[String],
    what: &str,
    source: &str,
    key: String,
    at: &Location,
) -> Result<(), ScenarioError> {
    for g in given {
        if valid.contains(g) {
            continue;
        }
        let names: Vec<&str> = valid.iter().map(String::as_str).collect();
        let hint = schema::closest(g, &names)
            .map_or(String::new(), |b| format!(" (did you mean \"{b}\"?)"));
        let allowed = if valid.is_empty() {
            format!(
                "a {what} needs trusts that have one: the trusts are drawn (no trusts.register), so target them by code (T001...) or type"
            )
        } else {
            format!(
                "{} of {source} ({}){hint}: {}",
                match what {
                    "code" => "an organisation code",
                    "region" => "an NHS England region",
                    _ => "an integrated care board",
                },
                valid.len(),
                names.join(", ")
            )
        };
        return Err(refuse(at, key, format!("\"{g}\""), allowed));
    }
    Ok(())
}

/// Checks entry `name` (starting in reported month `month`, 0 for the
/// whole run) targeting `target`, set at `at`, against the trusts `facts`
/// of `p`.
pub(super) fn check(
    name: &str,
    target: &Target,
    at: &Location,
    month: u32,
    facts: &[TrustFacts],
    p: &Params,
) -> Result<(), ScenarioError> {
    let source = if p.trusts.register.is_empty() {
        "the drawn trusts".to_string()
    } else {
        format!("the register {}", p.trusts.register)
    };
    let codes: Vec<String> = facts.iter().map(|f| f.code.clone()).collect();
    known(
        &target.trusts,
        &codes,
        "code",
        &source,
        format!("{name}.trusts"),
        at,
    )?;
    let regions = distinct(facts, |f| f.region.as_ref());
    known(
        &target.regions,
        &regions,
        "region",
        &source,
        format!("{name}.where.region"),
        at,
    )?;
    let mut icbs = distinct(facts, |f| f.icb.as_ref());
    icbs.sort();
    known(
        &target.icbs,
        &icbs,
        "ICB",
        &source,
        format!("{name}.where.icb"),
        at,
    )?;
    if target.is_dynamic() && month < 2 {
        let (key, value) = if month == 0 {
            (
                format!("{name}.where"),
                "segment or rating for the whole run".to_string(),
            )
        } else {
            (format!("{name}.month"), month.to_string())
        };
        return Err(refuse(
            at,
            key,
            value,
            "a segment or rating target in a [[changes]] entry from reported month 2 on: its trusts are decided on their state in the month before it starts".into(),
        ));
    }
    if !facts.iter().any(|f| target.matches_facts(f)) {
        return Err(refuse(
            at,
            name.to_string(),
            target.describe(),
            "a target that reaches at least one trust of the scenario".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::scenario::{Scenario, load};
    use tempfile::TempDir;

    const REGISTER: &str = "code,name,type,region,icb,establishment\n\
        RA1,Alpha Hospitals,acute,London,NHS North Central London Integrated Care Board,5000\n\
        RA2,Beta Hospitals,acute,London,NHS North Central London Integrated Care Board,4000\n\
        RB1,Gamma Care,mental_health,North West,NHS Cheshire and Merseyside Integrated Care Board,3000\n\
        RC1,Delta Community,community,North West,NHS Cheshire and Merseyside Integrated Care Board,2000\n\
        RD1,Epsilon Ambulance,ambulance,North West,,3000\n";

    /// Loads `body` over a small run on the five-trust register above;
    /// errors come back without the folder prefix.
    fn load_body(body: &str) -> Result<Scenario, String> {
        load_in(&TempDir::new().unwrap(), body)
    }

    /// As [`load_body`], in the folder `dir` (so scenarios loaded there
    /// share the register's path).
    fn load_in(dir: &TempDir, body: &str) -> Result<Scenario, String> {
        std::fs::write(dir.path().join("trusts.csv"), REGISTER).unwrap();
        let text = format!(
            "[run]\nstart = \"2026-04\"\nmonths = 24\nburn_in_months = 12\nstaff_scale = 0.01\n[trusts]\nregister = \"trusts.csv\"\n{body}"
        );
        std::fs::write(dir.path().join("a.toml"), text).unwrap();
        let prefix = format!("{}/", dir.path().display());
        load(&dir.path().join("a.toml")).map_err(|e| e.to_string().replace(&prefix, ""))
    }

    fn err(body: &str) -> String {
        match load_body(body) {
            Ok(_) => panic!("expected an error for\n{body}"),
            Err(e) => e,
        }
    }

    const SET: &str = "set = { \"oversight.punitiveness\" = 0.2 }\n";

    #[test]
    fn targets_by_code_type_region_and_icb_reach_the_trusts_they_name() {
        let reach = |target: &str| {
            let p = load_body(&format!("[[changes]]\nfrom = \"2027-04\"\n{target}\n{SET}"))
                .unwrap_or_else(|e| panic!("{e}"))
                .params;
            assert_eq!(p.targeted().len(), 1);
            assert!(p.changes().is_empty(), "a targeted change is not national");
            p.reach_of(0)
        };
        assert_eq!(reach("trusts = [\"RA2\", \"RC1\"]"), [1, 3]);
        assert_eq!(reach("where = { type = \"acute\" }"), [0, 1]);
        assert_eq!(
            reach("where = { type = [\"community\", \"ambulance\"] }"),
            [3, 4]
        );
        assert_eq!(reach("where = { region = \"North West\" }"), [2, 3, 4]);
        assert_eq!(
            reach(
                "where = { icb = \"NHS Cheshire and Merseyside Integrated Care Board\", type = \"community\" }"
            ),
            [3]
        );
        assert_eq!(
            reach("trusts = [\"RA1\"]\nwhere = { region = \"London\" }"),
            [0]
        );
        // A state target can reach any trust its other criteria allow.
        assert_eq!(reach("where = { segment = 4, type = \"acute\" }"), [0, 1]);
        assert_eq!(
            reach("where = { rating = \"inadequate\" }"),
            [0, 1, 2, 3, 4]
        );
        // [[for_trusts]] holds for the whole run.
        let p = load_body(&format!(
            "[[for_trusts]]\nwhere = {{ type = \"ambulance\" }}\n{SET}"
        ))
        .unwrap()
        .params;
        assert_eq!((p.targeted()[0].month, p.reach_of(0)), (0, vec![4]));
    }

    #[test]
    fn target_mistakes_name_the_file_key_and_list_what_exists() {
        let timed =
            |target: &str| err(&format!("[[changes]]\nfrom = \"2027-04\"\n{target}\n{SET}"));
        assert_eq!(
            timed("trusts = [\"RA3\"]"),
            "a.toml:10:1: changes[0].trusts = \"RA3\" is out of range; allowed: an organisation code of the register trusts.csv (5): RA1, RA2, RB1, RC1, RD1"
        );
        assert_eq!(
            timed("where = { region = \"north west\" }"),
            "a.toml:10:1: changes[0].where.region = \"north west\" is out of range; allowed: an NHS England region of the register trusts.csv (2) (did you mean \"North West\"?): London, North West"
        );
        assert!(
            timed("where = { icb = \"NHS Kent Integrated Care Board\" }").contains(
                "changes[0].where.icb = \"NHS Kent Integrated Care Board\" is out of range; allowed: an integrated care board of the register trusts.csv (2)"
            )
        );
        assert_eq!(
            timed("where = { segment = 0 }"),
            "a.toml:10:11: changes[0].where.segment = 0 is out of range; allowed: an oversight segment from 1 (least support) to 4 (intensive support)"
        );
        assert_eq!(
            timed("where = { rating = \"poor\" }"),
            "a.toml:10:11: changes[0].where.rating = \"poor\" is out of range; allowed: one of outstanding, good, requires_improvement, inadequate"
        );
        assert_eq!(
            timed("where = { type = \"acute\", membership = \"monthly\" }"),
            "a.toml:10:27: wrong type for `changes[0].where.membership`: expected membership only with segment or rating (who a trust is does not change), found a string (\"monthly\")"
        );
        assert!(
            timed("where = { type = \"ambulance\", region = \"London\" }").contains(
                "changes[0] = ambulance trusts in London is out of range; allowed: a target that reaches at least one trust of the scenario"
            )
        );
        assert!(
            timed("where = { colour = \"red\" }").contains("unknown key `changes[0].where.colour`")
        );
        assert!(timed("trusts = 7").contains("expected a list of organisation codes"));
        // State targets need a reported month before them.
        assert!(
            err(&format!("[[changes]]\nmonth = 1\nwhere = {{ segment = 4 }}\n{SET}"))
                .contains("changes[0].month = 1 is out of range; allowed: a segment or rating target in a [[changes]] entry from reported month 2 on")
        );
        assert!(
            err(&format!(
                "[[for_trusts]]\nwhere = {{ rating = \"inadequate\" }}\n{SET}"
            ))
            .contains("for_trusts[0].where = segment or rating for the whole run is out of range")
        );
        // What cannot differ between trusts, or cannot change in a run.
        assert!(
            err("[[for_trusts]]\ntrusts = [\"RA1\"]\nset = { \"run.seed\" = 3 }\n")
                .contains("for_trusts[0].set.run.seed = 3 for trusts RA1 is out of range; allowed: no value for some trusts only (run control is the same for every trust)")
        );
        assert!(
            err("[[changes]]\nmonth = 3\ntrusts = [\"RA1\"]\nset = { \"workforce.initial_vacancy_rate\" = 0.1 }\n")
                .contains("it is read only when the trusts are built")
        );
        // ... though a value read when trusts are built may differ from the start.
        load_body("[[for_trusts]]\ntrusts = [\"RA1\"]\nset = { \"workforce.initial_vacancy_rate\" = 0.1 }\n").unwrap();
        assert!(
            err("[[for_trusts]]\nset = { \"oversight.punitiveness\" = 0.2 }\n")
                .contains("for_trusts[0].trusts")
        );
        assert!(err("[[for_trusts]]\ntrusts = [\"RA1\"]\nmonth = 3\nset = { \"oversight.punitiveness\" = 0.2 }\n").contains("unknown key `for_trusts[0].month`"));
        // A value out of range for the targeted trusts is refused like any.
        assert!(
            err("[[for_trusts]]\ntrusts = [\"RA1\"]\nset = { \"oversight.punitiveness\" = 3.0 }\n")
                .starts_with("a.toml:10:9: oversight.punitiveness = 3 is out of range")
        );
    }

    #[test]
    fn targets_are_part_of_the_scenario_its_hash_and_its_stored_form() {
        let body = |code: &str| {
            format!(
                "[[changes]]\nfrom = \"2027-04\"\ntrusts = [\"{code}\"]\ndescription = \"ours\"\n{SET}"
            )
        };
        let dir = TempDir::new().unwrap();
        let a = load_in(&dir, &body("RA1")).unwrap().params;
        let b = load_in(&dir, &body("RA2")).unwrap().params;
        assert_ne!(
            crate::scenario::scenario_hash(&a),
            crate::scenario::scenario_hash(&b)
        );
        // The stored form (manifests, saved states) reads back the same.
        let text = crate::scenario::resolved_toml(&a);
        assert!(
            text.contains("[changes.target]") && text.contains("trusts = [\"RA1\"]"),
            "{text}"
        );
        let back: crate::model::Params = toml::from_str(&text).unwrap();
        assert_eq!(back, a);
        let monthly = load_body(&format!(
            "[[changes]]\nfrom = \"2027-04\"\nwhere = {{ segment = [3, 4], membership = \"monthly\", rating = \"requires_improvement\" }}\n{SET}"
        ))
        .unwrap()
        .params;
        let back: crate::model::Params =
            toml::from_str(&crate::scenario::resolved_toml(&monthly)).unwrap();
        assert_eq!(back, monthly);
        // A targeted change from a month shares the history before it.
        let national = load_in(&dir, "").unwrap().params;
        assert_eq!(a.first_difference(&national), Some(12 + 13 - 1));
        assert_eq!(a.first_difference(&b), Some(12 + 13 - 1));
        let whole = load_in(&dir, &format!("[[for_trusts]]\ntrusts = [\"RA1\"]\n{SET}"))
            .unwrap()
            .params;
        assert_eq!(whole.first_difference(&national), Some(0));
    }
}

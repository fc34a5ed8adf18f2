//! Tests of the scenario layer: exact error messages for each kind of
//! mistake, extends layering, and that every bundled scenario loads.

use super::*;
use tempfile::TempDir;

/// Writes `files` into a fresh folder and loads the first one. Error messages
/// come back with the folder prefix removed, so they can be pinned exactly.
fn load_in(files: &[(&str, &str)]) -> Result<Scenario, String> {
    let dir = TempDir::new().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let prefix = format!("{}/", dir.path().display());
    load(&dir.path().join(files[0].0)).map_err(|e| e.to_string().replace(&prefix, ""))
}

fn err(files: &[(&str, &str)]) -> String {
    match load_in(files) {
        Ok(_) => panic!("expected an error loading {files:?}"),
        Err(e) => e,
    }
}

/// Loading a single file `a.toml` holding `text` fails with exactly `expected`.
fn check_err(text: &str, expected: &str) {
    assert_eq!(err(&[("a.toml", text)]), expected, "for a.toml:\n{text}");
}

fn ok(files: &[(&str, &str)]) -> Scenario {
    load_in(files).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn missing_file() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("nope.toml");
    assert_eq!(
        load(&path).unwrap_err().to_string(),
        format!(
            "cannot read scenario file {}: file not found",
            path.display()
        )
    );
    check_err(
        "extends = \"base.toml\"\n",
        "a.toml:1:1: cannot read scenario file base.toml named by `extends`: file not found",
    );
}

#[test]
fn non_utf8_file_and_folder() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, b"[run]\nname = \"\xff\"\n").unwrap();
    assert_eq!(
        load(&path).unwrap_err().to_string(),
        format!(
            "cannot read scenario file {}: not UTF-8 text (first invalid byte at line 2, column 9); save the file as UTF-8",
            path.display()
        )
    );
    assert_eq!(
        load(dir.path()).unwrap_err().to_string(),
        format!(
            "cannot read scenario file {}: it is a folder, not a file",
            dir.path().display()
        )
    );
}

#[test]
fn malformed_toml() {
    check_err(
        "[run]\nname = \"x\n",
        "a.toml:2:10: malformed TOML: invalid basic string, expected `\"`",
    );
}

#[test]
fn wrong_type() {
    check_err(
        "[run]\nreplications = \"four\"\n",
        "a.toml:2:1: wrong type for `run.replications`: expected an integer, found a string (\"four\")",
    );
    check_err(
        "[trusts]\nacute = { count = 0.5 }\n",
        "a.toml:2:11: wrong type for `trusts.acute.count`: expected an integer, found a float (0.5)",
    );
    check_err(
        "run = 3\n",
        "a.toml:1:1: wrong type for `run`: expected a table, found an integer (3)",
    );
    check_err(
        "[ceo]\nhazard_shape = true\n",
        "a.toml:2:1: wrong type for `ceo.hazard_shape`: expected a number, found a boolean (true)",
    );
    check_err(
        "[pressures.demand]\nschedule = [[0, 1], [2, \"x\"]]\n",
        "a.toml:2:21: wrong type for `pressures.demand.schedule[1]`: expected a [year, level] pair of numbers, found an array ([2, \"x\"])",
    );
    check_err(
        "extends = 3\n",
        "a.toml:1:1: wrong type for `extends`: expected a string (the path of the scenario file to extend), found an integer (3)",
    );
}

#[test]
fn integers_are_accepted_as_numbers_and_schedules_replace_whole() {
    let s = ok(&[(
        "a.toml",
        "[run]\nstaff_scale = 1\n[pressures.demand]\nschedule = [[0, 1], [10, 1.5]]\n",
    )]);
    assert_eq!(s.params.run.staff_scale, 1.0);
    assert_eq!(
        s.params.pressures.demand.schedule,
        vec![[0.0, 1.0], [10.0, 1.5]]
    );
}

#[test]
fn unknown_key_with_did_you_mean() {
    check_err(
        "[staff]\nsicknes_recovery = 0.5\n",
        "a.toml:2:1: unknown key `staff.sicknes_recovery`; did you mean `staff.sickness_recovery`?",
    );
    // The right key in the wrong table.
    check_err(
        "[run]\npunitiveness = 0.2\n",
        "a.toml:2:1: unknown key `run.punitiveness`; did you mean `oversight.punitiveness`?",
    );
    // Nothing close: list what is allowed.
    check_err(
        "[run]\nfoo = 1\n",
        "a.toml:2:1: unknown key `run.foo`; allowed in `run`: burn_in_months, description, months, name, replications, seed, staff_scale, start",
    );
}

#[test]
fn unknown_table() {
    check_err(
        "[stafff]\nteam_size = 3\n",
        "a.toml:1:2: unknown table `stafff`; did you mean `staff`?",
    );
    check_err(
        "\n[zzz]\nx = 1\n",
        "a.toml:2:2: unknown table `zzz`; allowed at the top level: extends, changes, for_trusts, board, ceo, development, finance, friction, leaders, mortality, outcomes, oversight, pressures, regulator, run, seasons, staff, survey, trusts, workforce",
    );
}

#[test]
fn out_of_range_value_with_line() {
    check_err(
        "# comment\n[staff]\nteam_size = 25\nsickness_recovery = 0.0\n",
        "a.toml:4:1: staff.sickness_recovery = 0 is out of range; allowed: a number from 0.01 to 1",
    );
    // Every violation, one per line; a cross-field one not set by a file is `(default)`.
    check_err(
        "[run]\nmonths = 3\n[staff]\nengagement_adjust_rate = 0.99\n",
        "a.toml:2:1: run.months = 3 is out of range; allowed: an integer from 12 to 1200\n\
         (default) staff.peer_weight = 0.05 is out of range; allowed: a value with staff.engagement_adjust_rate + staff.peer_weight at most 1",
    );
    // Integers that do not fit the field are range errors too, and name the
    // parameter's own range, not the storage type's.
    check_err(
        "[run]\nreplications = -3\n",
        "a.toml:2:1: run.replications = -3 is out of range; allowed: an integer from 1 to 100000",
    );
}

#[test]
fn an_empty_file_is_an_error_not_the_baseline() {
    // Regression: an empty file silently ran the England baseline.
    for text in ["", "\n\n", "# only a comment\n"] {
        let e = err(&[("empty.toml", text)]);
        assert!(e.starts_with("scenario file "), "{e}");
        assert!(e.contains("empty.toml is empty"), "{e}");
    }
    // A file that only extends another is not empty.
    assert!(
        load_in(&[
            ("a.toml", "extends = \"b.toml\"\n"),
            ("b.toml", "[run]\nreplications = 2\n")
        ])
        .is_ok()
    );
}

#[test]
fn command_line_settings_layer_over_the_file_and_name_themselves_in_errors() {
    let dir = TempDir::new().unwrap();
    let f = dir.path().join("s.toml");
    std::fs::write(&f, "[run]\nreplications = 2\n").unwrap();
    let s = load_with(
        &f,
        &[
            Setting::set("staff.leave_base_monthly=0.008"),
            Setting::flag("--months", "run.months", 36),
            Setting::set("run.name=named"),
        ],
    )
    .unwrap();
    assert_eq!(s.params.staff.leave_base_monthly, 0.008);
    assert_eq!((s.params.run.months, s.params.run.replications), (36, 2));
    assert_eq!(s.params.run.name, "named");
    let e = |settings: &[Setting]| load_with(&f, settings).unwrap_err().to_string();
    assert_eq!(
        e(&[Setting::flag("--months", "run.months", -5)]),
        "--months -5: run.months = -5 is out of range; allowed: an integer from 12 to 1200"
    );
    assert_eq!(
        e(&[Setting::set("staff.sickness_recovery=2")]),
        "--set staff.sickness_recovery=2: staff.sickness_recovery = 2 is out of range; allowed: a number from 0.01 to 1"
    );
    assert!(
        e(&[Setting::set("staff.leave_base_monthy=0.1")])
            .starts_with("--set staff.leave_base_monthy=0.1: unknown key `staff.leave_base_monthy`; did you mean `staff.leave_base_monthly`?")
    );
    assert_eq!(
        e(&[Setting::set("nonsense")]),
        "--set nonsense: expected KEY=VALUE, e.g. `--set staff.leave_base_monthly=0.008`"
    );
    assert!(
        e(&[Setting::flag("--months", "run.months", "abc")])
            .contains("wrong type for `run.months`")
    );
}

#[test]
fn extends_cycle() {
    assert_eq!(
        err(&[
            ("a.toml", "extends = \"b.toml\"\n"),
            ("b.toml", "extends = \"a.toml\"\n"),
        ]),
        "extends cycle: a.toml -> b.toml -> a.toml"
    );
    assert_eq!(
        err(&[("self.toml", "extends = \"self.toml\"\n")]),
        "extends cycle: self.toml -> self.toml"
    );
}

#[test]
fn extends_too_deep() {
    let files: Vec<(String, String)> = (0..40)
        .map(|i| {
            (
                format!("f{i}.toml"),
                format!("extends = \"f{}.toml\"\n", i + 1),
            )
        })
        .collect();
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    assert_eq!(
        err(&refs),
        "f31.toml:1:1: extends chain is longer than 32 files; allowed: at most 32"
    );
}

#[test]
fn extends_child_beats_parent_beats_default() {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(
        dir.path().join("sub/parent.toml"),
        "[run]\nname = \"parent\"\n[staff]\nteam_size = 20\nsickness_recovery = 0.4\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("child.toml"),
        "extends = \"sub/parent.toml\"\n[staff]\nteam_size = 30\n",
    )
    .unwrap();
    let s = load(&dir.path().join("child.toml")).unwrap();
    assert_eq!(s.params.staff.team_size, 30); // child beats parent
    assert_eq!(s.params.staff.sickness_recovery, 0.4); // parent beats default
    assert_eq!(s.params.run.name, "parent"); // set by a file, so no stem default
    let d = Params::default();
    assert_eq!(
        s.params.staff.leave_base_monthly,
        d.staff.leave_base_monthly
    ); // default kept
    assert_eq!(
        s.files,
        vec![
            dir.path().join("sub/parent.toml"),
            dir.path().join("child.toml")
        ]
    );
    // A range error in the parent points at the parent.
    std::fs::write(
        dir.path().join("sub/parent.toml"),
        "[staff]\nsickness_recovery = 2.0\n",
    )
    .unwrap();
    let prefix = format!("{}/", dir.path().display());
    assert_eq!(
        load(&dir.path().join("child.toml"))
            .unwrap_err()
            .to_string()
            .replace(&prefix, ""),
        "sub/parent.toml:2:1: staff.sickness_recovery = 2 is out of range; allowed: a number from 0.01 to 1"
    );
}

#[test]
fn run_name_defaults_to_file_stem() {
    let s = ok(&[("my-run.toml", "[run]\nreplications = 2\n")]);
    assert_eq!(s.params.run.name, "my-run");
    assert_eq!(s.params.run.replications, 2);
    assert_eq!(
        err(&[("a b.toml", "[run]\nreplications = 2\n")]),
        "(file name) run.name = \"a b\" is out of range; allowed: 1 to 100 letters, digits, '-', '_' or '.', not starting with '.' or '-' (it names a folder or file)"
    );
}

#[test]
fn build_names_the_origin() {
    assert!(build(RawParams::default(), "command line").is_ok());
    let mut p = RawParams::default();
    p.run.months = 5000;
    assert_eq!(
        build(p, "command line").unwrap_err().to_string(),
        "(command line) run.months = 5000 is out of range; allowed: an integer from 12 to 1200"
    );
}

#[test]
fn resolved_toml_round_trips_and_hash_is_stable() {
    let p = Params::default();
    let text = resolved_toml(&p);
    let back: Params = toml::from_str(&text).unwrap();
    assert_eq!(back, p);
    let h = scenario_hash(&p);
    assert_eq!(h.len(), 64);
    assert!(
        h.chars()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
    );
    assert_eq!(h, scenario_hash(&back));
    let mut q = p.to_raw();
    q.run.seed += 1;
    assert_ne!(h, scenario_hash(&build(q, "test").unwrap()));
}

const CHANGE: &str = "[run]\nmonths = 60\nburn_in_months = 12\n\n[[changes]]\nmonth = 24\ndescription = \"double\"\nset = { \"development.budget_share_of_paybill\" = 0.0004, staff = { leave_base_monthly = 0.02 } }\n\n[[changes]]\nmonth = 36\nset = { \"oversight.punitiveness\" = 1 }\n";

#[test]
fn timed_changes_take_effect_from_their_reported_month_and_accumulate() {
    let p = ok(&[("a.toml", CHANGE)]).params;
    assert_eq!(p.changes().len(), 2);
    // Reported month 24 is simulated month 12 + 24 - 1 = 35.
    let budget = |m: u32| p.at(m).development.budget_share_of_paybill;
    assert_eq!(budget(34), 0.0002);
    assert_eq!(budget(35), 0.0004);
    assert_eq!(p.at(35).staff.leave_base_monthly, 0.02);
    assert_eq!(p.at(46).oversight.punitiveness, 0.7);
    // The second change keeps the first's values and adds its own (as a float).
    assert_eq!(p.at(47).oversight.punitiveness, 1.0);
    assert_eq!(p.at(47).development.budget_share_of_paybill, 0.0004);
    assert_eq!(p.first_difference(&Params::default()), Some(0));
    // The resolved TOML reads back to the same scenario and hash, and so
    // does the manifest's JSON.
    let text = resolved_toml(&p);
    assert!(text.contains("[[changes]]"), "{text}");
    let back = ok(&[("a.toml", &text)]).params;
    assert_eq!(back, p);
    assert_eq!(scenario_hash(&back), scenario_hash(&p));
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<Params>(&json).unwrap(), p);
    // A scenario that extends it adds its own changes to the parent's.
    let child =
        "extends = \"a.toml\"\n[[changes]]\nmonth = 48\nset = { \"staff.peer_weight\" = 0.1 }\n";
    let c = ok(&[("b.toml", child), ("a.toml", CHANGE)]).params;
    assert_eq!(c.changes().len(), 3);
    assert_eq!(c.first_difference(&p), Some(12 + 48 - 1));
}

#[test]
fn timed_change_mistakes_name_the_file_line_key_and_what_is_allowed() {
    let head = "[run]\nmonths = 60\n[[changes]]\n";
    let e = |body: &str| err(&[("a.toml", &format!("{head}{body}"))]);
    assert_eq!(
        e("month = 24\nset = { \"development.budget_share_of_paybil\" = 1 }\n"),
        "a.toml:5:9: unknown key `set.development.budget_share_of_paybil`; did you mean `development.budget_share_of_paybill`?"
    );
    assert_eq!(
        e("month = 61\nset = { \"staff.peer_weight\" = 0.1 }\n"),
        "a.toml:4:1: changes[0].month = 61 is out of range; allowed: a reported month from 1 to run.months (60)"
    );
    assert_eq!(
        e("month = 2\nset = { \"run.seed\" = 5 }\n"),
        "a.toml:5:9: run.seed = 5 from month 2 is out of range; allowed: no change during the run (run control is fixed for the whole run)"
    );
    assert_eq!(
        e("month = 2\nset = { \"trusts.acute.count\" = 5 }\n"),
        "a.toml:5:9: trusts.acute.count = 5 from month 2 is out of range; allowed: no change during the run (trust counts and sizes are fixed when the trusts are built)"
    );
    for key in [
        "workforce.initial_vacancy_rate",
        "workforce.labour_market_sd",
        "workforce.london_labour_market",
        "staff.sickness_population_slope",
        "staff.sickness_trust_sd",
    ] {
        let m = e(&format!("month = 2\nset = {{ \"{key}\" = 0.25 }}\n"));
        assert!(
            m.contains("read only when the trusts are built"),
            "{key}: {m}"
        );
    }
    assert_eq!(
        e("month = 2\nset = { \"staff.peer_weight\" = 5 }\n"),
        "a.toml:5:9: staff.peer_weight = 5 is out of range; allowed: a number from 0 to 1\na.toml:5:9: staff.peer_weight = 5 is out of range; allowed: a value with staff.engagement_adjust_rate + staff.peer_weight at most 1"
    );
    assert_eq!(
        e("month = 2\nset = { \"staff.peer_weight\" = \"high\" }\n"),
        "a.toml:5:9: wrong type for `staff.peer_weight`: expected a number, found a string (\"high\")"
    );
    assert!(e("month = 2\nset = {}\n").contains("a table of at least one parameter"));
    assert!(e("set = { \"staff.peer_weight\" = 0.1 }\n").contains("changes[0].month"));
    assert_eq!(
        e("mnth = 2\n"),
        "a.toml:4:1: unknown key `changes[0].mnth`; did you mean `changes[0].month`?"
    );
    assert!(err(&[("a.toml", "changes = 3\n")]).contains("an array of tables `[[changes]]`"));
}

/// Comparison, sweep and sensitivity files live beside the scenarios but are
/// not scenarios themselves.
fn is_study(path: &Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap();
    ["[compare]", "[sweep]", "[sensitivity]", "[calibration]"]
        .iter()
        .any(|h| text.lines().any(|l| l.trim() == *h))
}

#[test]
fn bundled_scenarios_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") && !is_study(&path) {
            let s = load(&path).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(s.files.last(), Some(&path));
            names.push(s.params.run.name.clone());
        }
    }
    names.sort();
    assert_eq!(
        names,
        [
            "baseline",
            "double_development_from_24",
            "england_2013",
            "england_2017_23",
            "one_trust_development",
            "policy_double_development",
            "policy_succession_planning",
            "policy_supportive_oversight",
            "quick",
            "regional_scheme",
            "register_example",
            "segment4_support",
            "succession_planning_from_24",
            "supportive_oversight_from_24",
        ]
    );

    // Apart from its description and England's register (which sets the
    // trust counts), the baseline restates the calibrated defaults.
    let base = load(&dir.join("baseline.toml")).unwrap();
    assert_eq!(base.params.trusts.rows.len(), 201);
    let mut raw = base.params.to_raw();
    raw.run.description = Params::default().run.description.clone();
    raw.trusts.register.clear();
    raw.trusts.rows.clear();
    for (t, d) in [
        (&mut raw.trusts.acute, 135),
        (&mut raw.trusts.mental_health, 50),
        (&mut raw.trusts.community, 15),
        (&mut raw.trusts.ambulance, 10),
    ] {
        t.count = d;
    }
    assert_eq!(
        build(raw, "test").unwrap(),
        Params::default(),
        "baseline.toml must restate defaults only; update it if the calibration changed"
    );

    let quick = load(&dir.join("quick.toml")).unwrap();
    let q = &quick.params;
    assert_eq!(q.run.name, "quick");
    assert_eq!(
        (
            q.run.staff_scale,
            q.run.replications,
            q.run.months,
            q.run.burn_in_months
        ),
        (0.02, 4, 60, 36)
    );
    let counts = q.trusts.all().map(|t| t.count);
    assert_eq!(counts, [12, 5, 2, 1]);
    assert_eq!(
        quick.files,
        vec![dir.join("baseline.toml"), dir.join("quick.toml")]
    );

    let dev = load(&dir.join("policy_double_development.toml")).unwrap();
    assert_eq!(dev.params.development.budget_share_of_paybill, 0.0004);
    let ovs = load(&dir.join("policy_supportive_oversight.toml")).unwrap();
    assert_eq!(ovs.params.oversight.punitiveness, 0.2);
    let suc = load(&dir.join("policy_succession_planning.toml")).unwrap();
    assert_eq!(suc.params.development.succession_planning, 0.5);
}

#[test]
fn never_panics_on_odd_input() {
    for text in [
        "",
        "\u{feff}",
        "[[pressures.demand.schedule]]\n",
        "[run]\n[run]\n",
        "a.b.c.d = 1\n",
        "[trusts.acute.count]\n",
        "[pressures.demand]\nschedule = [1, 2]\n",
        "[pressures.demand]\nschedule = [[1, 2, 3]]\n",
        "[pressures.demand]\nschedule = 5\n",
        "[run]\nseed = 1979-05-27\n",
        "[run]\nstaff_scale = nan\n",
        "[run]\nname = \"\"\n",
        "x = \"\u{1F600}\" = 2\n",
        "extends = { a = 1 }\n",
        "[extends]\n",
    ] {
        let _ = load_in(&[("a.toml", text)]);
    }
}

#[test]
fn a_change_may_start_on_a_calendar_month_of_the_run() {
    let text = "[run]\nstart = \"2026-04\"\nmonths = 60\nburn_in_months = 12\n\n[[changes]]\nfrom = \"2027-04\"\nset = { \"oversight.punitiveness\" = 0.2 }\n\n[[changes]]\nmonth = 6\nset = { \"staff.peer_weight\" = 0.1 }\n";
    let p = ok(&[("a.toml", text)]).params;
    // April 2027 is reported month 13, simulated month 12 + 13 - 1 = 24;
    // the changes are kept in month order whichever way they were given.
    let months: Vec<u32> = p.changes().iter().map(|c| c.month).collect();
    assert_eq!(months, [6, 13]);
    assert_eq!(p.at(23).oversight.punitiveness, 0.7);
    assert_eq!(p.at(24).oversight.punitiveness, 0.2);
    assert_eq!(p.at(24).staff.peer_weight, 0.1);
    assert!(crate::scenario::keys::timed_changes(&p).contains("from month 13 (2027-04)"));
    // The same change given as a month is the same scenario.
    let by_month = text.replace("from = \"2027-04\"", "month = 13");
    assert_eq!(ok(&[("a.toml", &by_month)]).params, p);
    // Moving run.start moves a dated change with it.
    let later = text.replace("start = \"2026-04\"", "start = \"2026-10\"");
    assert_eq!(ok(&[("a.toml", &later)]).params.changes()[1].month, 7);
}

#[test]
fn dated_change_mistakes_say_what_is_allowed() {
    let head = "[run]\nstart = \"2026-04\"\nmonths = 24\n[[changes]]\n";
    let e = |body: &str| err(&[("a.toml", &format!("{head}{body}"))]);
    assert_eq!(
        e("from = \"2026-03\"\nset = { \"staff.peer_weight\" = 0.1 }\n"),
        "a.toml:5:1: changes[0].from = \"2026-03\" is out of range; allowed: a month from run.start (2026-04) to the last reported month (2028-03)"
    );
    assert!(
        e("from = \"2028-04\"\nset = { \"staff.peer_weight\" = 0.1 }\n")
            .contains("changes[0].from = \"2028-04\" is out of range")
    );
    assert_eq!(
        e("from = \"April 2027\"\nset = { \"staff.peer_weight\" = 0.1 }\n"),
        "a.toml:5:1: wrong type for `changes[0].from`: expected a calendar month as a string \"YYYY-MM\", e.g. from = \"2027-04\", found a string (\"April 2027\")"
    );
    assert!(
        e("from = \"2027-04\"\nmonth = 3\nset = { \"staff.peer_weight\" = 0.1 }\n")
            .contains("found both month and from")
    );
    assert_eq!(
        err(&[("a.toml", "[run]\nstart = \"2026-4\"\n")]),
        "a.toml:2:1: run.start = \"2026-4\" is out of range; allowed: a month as YYYY-MM, e.g. 2026-04"
    );
}

#[test]
fn the_scenario_hash_does_not_depend_on_where_the_register_is_found_from() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let absolute = load(&dir.join("baseline.toml")).unwrap().params;
    let mut moved = absolute.to_raw();
    moved.trusts.register = "elsewhere/registers/england_trusts.csv".into();
    let moved = build(moved, "test").unwrap();
    assert_ne!(resolved_toml(&absolute), resolved_toml(&moved));
    assert_eq!(scenario_hash(&absolute), scenario_hash(&moved));
    // Its rows are the content: a changed row changes the hash.
    let mut edited = absolute.to_raw();
    edited.trusts.rows[0].name.push('!');
    assert_ne!(
        scenario_hash(&build(edited, "test").unwrap()),
        scenario_hash(&absolute)
    );
}

//! Reports of an e2e run: the summary table, JUnit XML (one testcase per scenario and
//! issuer, as CI systems show them) and JSON (the outcomes as they are).

use std::fmt::Write as _;
use std::time::Duration;

use crate::scenario::{ScenarioOutcome, ScenarioStatus};

fn status_word(o: &ScenarioOutcome) -> &'static str {
    match o.status {
        ScenarioStatus::Passed => "ok",
        ScenarioStatus::Failed { .. } => "FAILED",
        ScenarioStatus::Skipped { .. } => "skipped",
    }
}

/// One line per run, then the totals.
pub fn summary(outcomes: &[ScenarioOutcome], wall: Duration) -> String {
    let width = outcomes
        .iter()
        .map(|o| o.name.len() + o.issuer.len() + 1)
        .max()
        .unwrap_or(8)
        .max(8);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{:<width$}  {:<7}  {:>8}  note",
        "scenario", "result", "time"
    );
    for o in outcomes {
        let note = match &o.status {
            ScenarioStatus::Passed => String::new(),
            ScenarioStatus::Skipped { reason } => reason.clone(),
            ScenarioStatus::Failed {
                step, op, message, ..
            } => {
                let first = message.lines().next().unwrap_or_default();
                format!("{step} / {op}: {first}")
            }
        };
        let _ = writeln!(
            s,
            "{:<width$}  {:<7}  {:>7.2}s  {note}",
            format!("{}@{}", o.name, o.issuer),
            status_word(o),
            o.duration.as_secs_f64()
        );
    }
    let count = |w: &str| outcomes.iter().filter(|o| status_word(o) == w).count();
    let _ = writeln!(
        s,
        "\n{} passed, {} failed, {} skipped in {:.1}s",
        count("ok"),
        count("FAILED"),
        count("skipped"),
        wall.as_secs_f64()
    );
    s
}

/// The details of every failure: the diff and the message.
pub fn failures(outcomes: &[ScenarioOutcome]) -> String {
    let mut s = String::new();
    for o in outcomes {
        if let ScenarioStatus::Failed {
            step,
            op,
            message,
            diff,
        } = &o.status
        {
            let _ = writeln!(
                s,
                "---- {}@{} (namespace {}) ----",
                o.name, o.issuer, o.namespace
            );
            let _ = writeln!(s, "step {step}, {op}:\n{message}");
            if let Some(d) = diff {
                let _ = writeln!(s, "{d}");
            }
            s.push('\n');
        }
    }
    s
}

fn xml_escape(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .map(|c| match c {
            '&' => "&amp;".to_string(),
            '<' => "&lt;".to_string(),
            '>' => "&gt;".to_string(),
            '"' => "&quot;".to_string(),
            '\'' => "&apos;".to_string(),
            c => c.to_string(),
        })
        .collect()
}

/// JUnit XML: a testsuite per issuer, a testcase per scenario.
pub fn junit(outcomes: &[ScenarioOutcome]) -> String {
    let mut issuers: Vec<&str> = outcomes.iter().map(|o| o.issuer.as_str()).collect();
    issuers.dedup();
    issuers.sort();
    issuers.dedup();
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"certlab e2e\">\n",
    );
    for issuer in issuers {
        let cases: Vec<&ScenarioOutcome> = outcomes.iter().filter(|o| o.issuer == issuer).collect();
        let failures = cases
            .iter()
            .filter(|o| matches!(o.status, ScenarioStatus::Failed { .. }))
            .count();
        let skipped = cases
            .iter()
            .filter(|o| matches!(o.status, ScenarioStatus::Skipped { .. }))
            .count();
        let time: f64 = cases.iter().map(|o| o.duration.as_secs_f64()).sum();
        let _ = writeln!(
            s,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" skipped=\"{skipped}\" time=\"{time:.3}\">",
            xml_escape(issuer),
            cases.len()
        );
        for o in cases {
            let _ = write!(
                s,
                "    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3}\"",
                xml_escape(issuer),
                xml_escape(&o.name),
                o.duration.as_secs_f64()
            );
            match &o.status {
                ScenarioStatus::Passed => s.push_str("/>\n"),
                ScenarioStatus::Skipped { reason } => {
                    let _ = writeln!(
                        s,
                        ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                        xml_escape(reason)
                    );
                }
                ScenarioStatus::Failed {
                    step,
                    op,
                    message,
                    diff,
                } => {
                    let first = message.lines().next().unwrap_or_default();
                    let _ = writeln!(
                        s,
                        ">\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        xml_escape(&format!("{step} / {op}: {first}")),
                        xml_escape(&format!(
                            "{message}\n{}",
                            diff.as_deref().unwrap_or_default()
                        ))
                    );
                }
            }
        }
        s.push_str("  </testsuite>\n");
    }
    s.push_str("</testsuites>\n");
    s
}

/// The outcomes as JSON.
pub fn json(outcomes: &[ScenarioOutcome]) -> String {
    serde_json::to_string_pretty(outcomes).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(name: &str, issuer: &str, status: ScenarioStatus) -> ScenarioOutcome {
        ScenarioOutcome {
            name: name.into(),
            issuer: issuer.into(),
            namespace: format!("{name}-abcde"),
            status,
            duration: Duration::from_millis(1500),
            steps: Vec::new(),
        }
    }

    #[test]
    fn junit_and_summary_show_every_kind_of_outcome() {
        let all = vec![
            outcome("basic", "ca", ScenarioStatus::Passed),
            outcome(
                "wild",
                "acme-http01",
                ScenarioStatus::Skipped {
                    reason: "acme-http01 does not support Wildcards".into(),
                },
            ),
            outcome(
                "bad",
                "ca",
                ScenarioStatus::Failed {
                    step: "issue".into(),
                    op: "try[1].assert (line 9)".into(),
                    message: "not Ready <yet> & more".into(),
                    diff: Some(
                        "status.conditions[type=Ready].status: expected \"True\", got \"False\""
                            .into(),
                    ),
                },
            ),
        ];
        let x = junit(&all);
        assert!(
            x.contains("<testsuite name=\"ca\" tests=\"2\" failures=\"1\" skipped=\"0\""),
            "{x}"
        );
        assert!(
            x.contains("<skipped message=\"acme-http01 does not support Wildcards\"/>"),
            "{x}"
        );
        assert!(x.contains("not Ready &lt;yet&gt; &amp; more"), "{x}");
        let s = summary(&all, Duration::from_secs(3));
        assert!(
            s.contains("basic@ca")
                && s.contains("FAILED")
                && s.contains("1 passed, 1 failed, 1 skipped"),
            "{s}"
        );
        assert!(failures(&all).contains("expected \"True\""));
        assert!(json(&all).contains("\"issuer\": \"acme-http01\""));
    }
}

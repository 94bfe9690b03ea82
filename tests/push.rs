//! `faultline push`: against Jira and Linear stand-ins on 127.0.0.1, with
//! injected rate limits and server errors. No other network.

mod mock;
mod reg;

use faultline::push::http::RetryPolicy;
use faultline::push::jira::Jira;
use faultline::push::linear::Linear;
use faultline::push::{self, Action};
use faultline::register::{self, BuildOptions, Entry};
use mock::{Mock, Request, Response};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn entries() -> Vec<Entry> {
    register::build(&reg::sample(), &BuildOptions::default()).entries
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 8,
        base_delay: Duration::from_millis(2),
        max_delay: Duration::from_secs(5),
    }
}

/// Faults to inject, in order, into requests of one kind.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// 429 with `Retry-After: 0` (or no header).
    RateLimit(bool),
    /// 503 without doing anything.
    Unavailable,
    /// Do the work, then answer 502 (the client cannot know it worked).
    FailAfterDoing,
}

#[derive(Default)]
struct JiraState {
    issues: Vec<(String, Vec<String>, Value)>,
    search_faults: VecDeque<Fault>,
    create_faults: VecDeque<Fault>,
    refuse_priority: bool,
    status: Option<u16>,
}

const TOKEN: &str = "s3cr3t-token-value";

fn jira_standin(state: Arc<Mutex<JiraState>>) -> Mock {
    let expected = format!(
        "Basic {}",
        faultline::push::http::base64(format!("me@example.com:{TOKEN}").as_bytes())
    );
    Mock::start(move |req: &Request| {
        let mut s = state.lock().unwrap();
        if let Some(status) = s.status {
            return Response::json(status, json!({"errorMessages": ["nope"]}));
        }
        if req.header("authorization") != Some(expected.as_str()) {
            return Response::json(401, json!({"errorMessages": ["bad credentials"]}));
        }
        let fault = match (req.method.as_str(), req.path()) {
            ("GET", "/rest/api/3/search/jql") => s.search_faults.pop_front(),
            ("POST", "/rest/api/3/issue") => s.create_faults.pop_front(),
            _ => return Response::json(404, json!({"errorMessages": ["no such path"]})),
        };
        match fault {
            Some(Fault::RateLimit(header)) => {
                let r = Response::json(429, json!({"errorMessages": ["slow down"]}));
                return if header {
                    r.with_header("Retry-After", "0")
                } else {
                    r
                };
            }
            Some(Fault::Unavailable) => return Response::json(503, json!({})),
            _ => {}
        }
        let response = if req.method == "GET" {
            let jql = req.query("jql").unwrap();
            assert!(jql.starts_with("project = \"FL\" AND labels = \""), "{jql}");
            let label = jql
                .rsplit("labels = \"")
                .next()
                .unwrap()
                .trim_end_matches('"')
                .to_string();
            let matching: Vec<&(String, Vec<String>, Value)> = s
                .issues
                .iter()
                .filter(|(_, labels, _)| labels.contains(&label))
                .collect();
            // Pages of two, to exercise pagination.
            let start: usize = req.query("nextPageToken").map_or(0, |t| t.parse().unwrap());
            let page: Vec<Value> = matching
                .iter()
                .skip(start)
                .take(2)
                .map(
                    |(key, labels, _)| json!({"id": "1", "key": key, "fields": {"labels": labels}}),
                )
                .collect();
            let mut body = json!({"issues": page, "isLast": start + 2 >= matching.len()});
            if start + 2 < matching.len() {
                body["nextPageToken"] = json!((start + 2).to_string());
            }
            Response::json(200, body)
        } else {
            let fields = req.json()["fields"].clone();
            if s.refuse_priority && !fields["priority"].is_null() {
                return Response::json(
                    400,
                    json!({"errorMessages": [], "errors": {"priority": "Field 'priority' cannot be set."}}),
                );
            }
            let key = format!("FL-{}", s.issues.len() + 1);
            let labels: Vec<String> = fields["labels"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_string())
                .collect();
            s.issues.push((key.clone(), labels, fields));
            Response::json(201, json!({"id": "10000", "key": key}))
        };
        if fault == Some(Fault::FailAfterDoing) {
            return Response::json(502, json!({}));
        }
        response
    })
}

fn jira(mock: &Mock) -> Jira {
    let mut j = Jira::new(&mock.url, "me@example.com", TOKEN, "FL", "Task");
    j.client.policy = fast();
    j
}

fn labels_of(state: &Arc<Mutex<JiraState>>) -> Vec<String> {
    let s = state.lock().unwrap();
    let mut v: Vec<String> = s
        .issues
        .iter()
        .flat_map(|(_, labels, _)| {
            labels
                .iter()
                .filter(|l| l.starts_with("faultline-"))
                .cloned()
        })
        .collect();
    v.sort();
    v
}

fn expected_labels(entries: &[Entry]) -> Vec<String> {
    let mut v: Vec<String> = entries
        .iter()
        .map(|e| format!("faultline-{}", e.id))
        .collect();
    v.sort();
    v
}

#[test]
fn jira_creates_each_entry_once_and_a_second_push_creates_nothing() {
    let state = Arc::new(Mutex::new(JiraState::default()));
    let mock = jira_standin(state.clone());
    let entries = entries();
    let first = push::run(&mut jira(&mock), &entries, false);
    assert!(first.ok(), "{first:?}");
    assert_eq!(first.count(|a| matches!(a, Action::Created(_))), 3);
    {
        let s = state.lock().unwrap();
        let (_, labels, fields) = &s.issues[0];
        assert_eq!(labels[0], "faultline");
        assert_eq!(labels[1], "blocking-call");
        assert_eq!(fields["project"]["key"], "FL");
        assert_eq!(fields["issuetype"]["name"], "Task");
        assert_eq!(fields["priority"]["name"], "Highest");
        assert_eq!(fields["summary"], entries[0].title.as_str());
        let doc = &fields["description"];
        assert_eq!(doc["type"], "doc");
        assert_eq!(doc["version"], 1);
        assert!(doc
            .to_string()
            .contains(&format!("faultline-id: {}", entries[0].id)));
        assert!(doc.to_string().contains("bulletList"));
    }
    let creates = mock.count("POST");
    let second = push::run(&mut jira(&mock), &entries, false);
    assert!(second.ok());
    assert_eq!(second.count(|a| matches!(a, Action::Exists(_))), 3);
    assert_eq!(
        mock.count("POST"),
        creates,
        "nothing created the second time"
    );
    assert_eq!(labels_of(&state), expected_labels(&entries));
}

#[test]
fn jira_dry_run_creates_nothing() {
    let state = Arc::new(Mutex::new(JiraState::default()));
    let mock = jira_standin(state.clone());
    let out = push::run(&mut jira(&mock), &entries(), true);
    assert_eq!(out.count(|a| *a == Action::WouldCreate), 3);
    assert_eq!(mock.count("POST"), 0);
    assert!(out.render("Jira", true).contains("3 to create"));
}

#[test]
fn jira_survives_rate_limits_and_server_errors_without_duplicates() {
    let state = Arc::new(Mutex::new(JiraState {
        search_faults: VecDeque::from([
            Fault::RateLimit(true),
            Fault::Unavailable,
            Fault::RateLimit(false),
        ]),
        create_faults: VecDeque::from([
            Fault::RateLimit(true),
            Fault::FailAfterDoing,
            Fault::Unavailable,
            Fault::FailAfterDoing,
            Fault::RateLimit(true),
        ]),
        ..JiraState::default()
    }));
    let mock = jira_standin(state.clone());
    let entries = entries();
    let out = push::run(&mut jira(&mock), &entries, false);
    assert!(out.ok(), "{}", out.render("Jira", false));
    assert_eq!(out.count(|a| matches!(a, Action::Created(_))), 3);
    assert_eq!(
        labels_of(&state),
        expected_labels(&entries),
        "one issue per entry"
    );
    // Again, with more trouble: still nothing new.
    state.lock().unwrap().search_faults =
        VecDeque::from([Fault::Unavailable, Fault::RateLimit(true)]);
    let again = push::run(&mut jira(&mock), &entries, false);
    assert!(again.ok());
    assert_eq!(again.count(|a| matches!(a, Action::Exists(_))), 3);
    assert_eq!(labels_of(&state), expected_labels(&entries));
}

#[test]
fn jira_without_a_priority_field_is_retried_without_it() {
    let state = Arc::new(Mutex::new(JiraState {
        refuse_priority: true,
        ..JiraState::default()
    }));
    let mock = jira_standin(state.clone());
    let out = push::run(&mut jira(&mock), &entries(), false);
    assert!(out.ok(), "{out:?}");
    assert_eq!(state.lock().unwrap().issues.len(), 3);
}

#[test]
fn jira_stops_clearly_on_401_403_404_and_never_shows_the_token() {
    for (status, words) in [
        (401, "Unauthorized"),
        (403, "Forbidden"),
        (404, "Not Found"),
    ] {
        let state = Arc::new(Mutex::new(JiraState {
            status: Some(status),
            ..JiraState::default()
        }));
        let mock = jira_standin(state.clone());
        let out = push::run(&mut jira(&mock), &entries(), false);
        let stopped = out.stopped.clone().expect("stopped");
        assert!(
            stopped.contains(&status.to_string()) && stopped.contains(words),
            "{stopped}"
        );
        assert!(!stopped.contains(TOKEN));
        assert_eq!(mock.count("GET"), 1, "no retry on {status}");
        assert_eq!(mock.count("POST"), 0);
    }
    // Wrong credentials: the hint names the variables, not their values.
    let state = Arc::new(Mutex::new(JiraState::default()));
    let mock = jira_standin(state);
    let mut wrong = Jira::new(&mock.url, "me@example.com", "wrong-token", "FL", "Task");
    wrong.client.policy = fast();
    let out = push::run(&mut wrong, &entries(), false);
    let stopped = out.stopped.unwrap();
    assert!(
        stopped.contains("JIRA_API_TOKEN") && !stopped.contains("wrong-token"),
        "{stopped}"
    );
}

#[derive(Default)]
struct LinearState {
    issues: Vec<(String, Value)>,
    faults: VecDeque<Fault>,
    graphql_rate_limits: usize,
    unauthenticated: bool,
}

const TEAM_ID: &str = "9cfb482a-81e3-4154-b5b9-2c805e70a02d";

fn linear_standin(state: Arc<Mutex<LinearState>>) -> Mock {
    Mock::start(move |req: &Request| {
        let mut s = state.lock().unwrap();
        assert_eq!(req.path(), "/graphql");
        if s.unauthenticated || req.header("authorization") != Some("lin_api_test") {
            return Response::json(
                401,
                json!({"errors": [{"message": "Authentication required", "extensions": {"code": "AUTHENTICATION_ERROR"}}]}),
            );
        }
        let body = req.json();
        let query = body["query"].as_str().unwrap().to_string();
        let vars = body["variables"].clone();
        let fault = s.faults.pop_front();
        match fault {
            Some(Fault::RateLimit(header)) => {
                let r = Response::json(429, json!({"errors": [{"message": "rate limited"}]}));
                return if header {
                    r.with_header("Retry-After", "0")
                } else {
                    r
                };
            }
            Some(Fault::Unavailable) => return Response::json(500, json!({})),
            _ => {}
        }
        if s.graphql_rate_limits > 0 {
            s.graphql_rate_limits -= 1;
            return Response::json(
                400,
                json!({"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]}),
            );
        }
        let response = if query.contains("teams(") {
            Response::json(
                200,
                json!({"data": {"teams": {"nodes": [
                    {"id": "other", "key": "OPS", "name": "Ops"},
                    {"id": TEAM_ID, "key": "ENG", "name": "Engineering"}
                ], "pageInfo": {"hasNextPage": false, "endCursor": null}}}}),
            )
        } else if query.contains("issueCreate") {
            let input = &vars["input"];
            assert_eq!(input["teamId"], TEAM_ID);
            let id = format!("ENG-{}", s.issues.len() + 1);
            s.issues.push((id.clone(), input.clone()));
            Response::json(
                200,
                json!({"data": {"issueCreate": {"success": true, "issue": {"id": "x", "identifier": id, "url": "u"}}}}),
            )
        } else if query.contains("issues(") {
            assert_eq!(vars["team"], TEAM_ID);
            let needle = vars["marker"].as_str().unwrap();
            let all: Vec<Value> = s
                .issues
                .iter()
                .filter(|(_, input)| input["description"].as_str().unwrap().contains(needle))
                .map(|(id, input)| json!({"identifier": id, "description": input["description"]}))
                .collect();
            let start: usize = vars["after"].as_str().map_or(0, |c| c.parse().unwrap());
            let page: Vec<Value> = all.iter().skip(start).take(2).cloned().collect();
            let more = start + 2 < all.len();
            Response::json(
                200,
                json!({"data": {"issues": {"nodes": page, "pageInfo": {"hasNextPage": more, "endCursor": (start + 2).to_string()}}}}),
            )
        } else {
            Response::json(400, json!({"errors": [{"message": "unknown query"}]}))
        };
        if fault == Some(Fault::FailAfterDoing) {
            return Response::json(502, json!({}));
        }
        response
    })
}

fn linear(mock: &Mock) -> Linear {
    let mut l = Linear::new(&format!("{}/graphql", mock.url), "lin_api_test", "eng");
    l.client.policy = fast();
    l
}

fn linear_ids(state: &Arc<Mutex<LinearState>>) -> Vec<String> {
    let s = state.lock().unwrap();
    let mut v: Vec<String> = s
        .issues
        .iter()
        .flat_map(|(_, input)| {
            faultline::push::linear::markers(input["description"].as_str().unwrap())
        })
        .collect();
    v.sort();
    v
}

#[test]
fn linear_creates_each_entry_once_through_rate_limits_and_errors() {
    let state = Arc::new(Mutex::new(LinearState {
        // teams, search, then creates: 429, ambiguous 502, 500, ambiguous 502.
        faults: VecDeque::from([
            Fault::RateLimit(true),
            Fault::Unavailable,
            Fault::RateLimit(false),
            Fault::FailAfterDoing,
        ]),
        graphql_rate_limits: 2,
        ..LinearState::default()
    }));
    let mock = linear_standin(state.clone());
    let entries = entries();
    let out = push::run(&mut linear(&mock), &entries, false);
    assert!(out.ok(), "{}", out.render("Linear", false));
    let mut want: Vec<String> = entries.iter().map(|e| e.id.clone()).collect();
    want.sort();
    assert_eq!(linear_ids(&state), want, "one issue per entry");
    {
        let s = state.lock().unwrap();
        let input = &s.issues[0].1;
        assert_eq!(input["priority"], 1);
        assert_eq!(input["title"], entries[0].title.as_str());
        assert!(input["description"]
            .as_str()
            .unwrap()
            .contains("**Locations (3)**"));
    }
    state.lock().unwrap().faults = VecDeque::from([Fault::FailAfterDoing, Fault::Unavailable]);
    let again = push::run(&mut linear(&mock), &entries, false);
    assert!(again.ok(), "{again:?}");
    assert_eq!(again.count(|a| matches!(a, Action::Exists(_))), 3);
    assert_eq!(linear_ids(&state), want);
}

#[test]
fn linear_stops_on_authentication_errors_and_unknown_teams() {
    let state = Arc::new(Mutex::new(LinearState {
        unauthenticated: true,
        ..LinearState::default()
    }));
    let mock = linear_standin(state);
    let out = push::run(&mut linear(&mock), &entries(), false);
    let stopped = out.stopped.unwrap();
    assert!(
        stopped.contains("401") && stopped.contains("LINEAR_API_KEY"),
        "{stopped}"
    );
    assert!(!stopped.contains("lin_api_test"));

    let state = Arc::new(Mutex::new(LinearState::default()));
    let mock = linear_standin(state);
    let mut l = Linear::new(&format!("{}/graphql", mock.url), "lin_api_test", "NOPE");
    l.client.policy = fast();
    let out = push::run(&mut l, &entries(), false);
    assert!(out.stopped.unwrap().contains("LINEAR_TEAM"));
}

#[test]
fn the_cli_reads_credentials_from_the_environment_only() {
    let bin = env!("CARGO_BIN_EXE_faultline");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.py"), "x = 1\n").unwrap();
    let root = dir.path().to_str().unwrap();
    let clean = |cmd: &mut std::process::Command| {
        for v in [
            "JIRA_URL",
            "JIRA_EMAIL",
            "JIRA_API_TOKEN",
            "JIRA_PROJECT",
            "LINEAR_API_KEY",
            "LINEAR_TEAM",
            "LINEAR_API_URL",
        ] {
            cmd.env_remove(v);
        }
    };
    let mut cmd = std::process::Command::new(bin);
    cmd.args(["push", "jira", root]);
    clean(&mut cmd);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("JIRA_URL is not set"));

    let mut cmd = std::process::Command::new(bin);
    cmd.args(["push", "linear", root, "--dry-run"]);
    clean(&mut cmd);
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("Linear (dry run): 0 to create"));

    // Wrong token against the stand-in: a clear stop, the token never shown.
    let state = Arc::new(Mutex::new(JiraState::default()));
    let mock = jira_standin(state);
    let mut cmd = std::process::Command::new(bin);
    cmd.args(["push", "jira", root]);
    clean(&mut cmd);
    cmd.env("JIRA_URL", &mock.url)
        .env("JIRA_EMAIL", "me@example.com")
        .env("JIRA_API_TOKEN", "not-the-right-one")
        .env("JIRA_PROJECT", "FL");
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(all.contains("401 Unauthorized"), "{all}");
    assert!(!all.contains("not-the-right-one"));
}

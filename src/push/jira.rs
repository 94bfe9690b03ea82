//! Jira Cloud (REST API v3): issues created with `POST /rest/api/3/issue`,
//! the description in Atlassian Document Format, found again with JQL over
//! the labels `faultline` and `faultline-<id>`
//! (`GET /rest/api/3/search/jql`, paginated with `nextPageToken`).
//!
//! Environment: `JIRA_URL` (the site, e.g. https://acme.atlassian.net),
//! `JIRA_EMAIL`, `JIRA_API_TOKEN`, `JIRA_PROJECT` (project key); optional
//! `JIRA_ISSUE_TYPE` (default `Task`).

use super::http::{base64, Client, HttpError};
use super::{env, marker, Tracker};
use crate::emit::csv::{jira_priority, labels};
use crate::register::{format_minutes, Entry};
use serde_json::{json, Value};
use std::collections::HashMap;

/// A Jira project.
#[derive(Debug)]
pub struct Jira {
    /// The HTTP client (site URL and credentials).
    pub client: Client,
    project: String,
    issue_type: String,
}

impl Jira {
    /// From the environment variables.
    pub fn from_env() -> Result<Jira, String> {
        let url = env("JIRA_URL")?;
        let email = env("JIRA_EMAIL")?;
        let token = env("JIRA_API_TOKEN")?;
        let project = env("JIRA_PROJECT")?;
        let issue_type = env("JIRA_ISSUE_TYPE").unwrap_or_else(|_| "Task".to_string());
        Ok(Jira::new(&url, &email, &token, &project, &issue_type))
    }

    /// For a site, an account and a project.
    pub fn new(url: &str, email: &str, token: &str, project: &str, issue_type: &str) -> Jira {
        let auth = format!("Basic {}", base64(format!("{email}:{token}").as_bytes()));
        let mut client = Client::new("Jira", url, auth);
        client.auth_hint =
            "check JIRA_EMAIL, JIRA_API_TOKEN and the account's access to JIRA_PROJECT".to_string();
        Jira {
            client,
            project: project.to_string(),
            issue_type: issue_type.to_string(),
        }
    }

    fn search(&self, jql: &str) -> Result<HashMap<String, String>, HttpError> {
        let mut found = HashMap::new();
        let mut token: Option<String> = None;
        for _ in 0..10_000 {
            let mut path = format!(
                "rest/api/3/search/jql?jql={}&fields=labels&maxResults=100",
                encode(jql)
            );
            if let Some(t) = &token {
                path.push_str(&format!("&nextPageToken={}", encode(t)));
            }
            let page = self.client.send("GET", &path, None, true)?;
            for issue in page["issues"].as_array().into_iter().flatten() {
                let Some(key) = issue["key"].as_str() else {
                    continue;
                };
                for label in issue["fields"]["labels"].as_array().into_iter().flatten() {
                    if let Some(id) = label.as_str().and_then(|l| l.strip_prefix("faultline-")) {
                        found.insert(id.to_string(), key.to_string());
                    }
                }
            }
            token = page["nextPageToken"].as_str().map(str::to_string);
            if token.is_none() || page["isLast"].as_bool() == Some(true) {
                break;
            }
        }
        Ok(found)
    }

    /// The `fields` of a new issue.
    pub fn fields(&self, entry: &Entry, with_priority: bool) -> Value {
        let mut fields = json!({
            "project": { "key": self.project },
            "issuetype": { "name": self.issue_type },
            "summary": truncate(&entry.title, 255),
            "labels": labels(entry),
            "description": description(entry),
        });
        if with_priority {
            fields["priority"] = json!({ "name": jira_priority(entry.severity) });
        }
        fields
    }
}

impl Tracker for Jira {
    fn name(&self) -> &'static str {
        "Jira"
    }

    fn existing(&mut self) -> Result<HashMap<String, String>, HttpError> {
        self.search(&format!(
            "project = \"{}\" AND labels = \"faultline\"",
            jql_string(&self.project)
        ))
    }

    fn find(&mut self, id: &str) -> Result<Option<String>, HttpError> {
        let found = self.search(&format!(
            "project = \"{}\" AND labels = \"faultline-{}\"",
            jql_string(&self.project),
            jql_string(id)
        ))?;
        Ok(found.get(id).cloned())
    }

    fn create(&mut self, entry: &Entry) -> Result<String, HttpError> {
        let mut with_priority = true;
        loop {
            let body = json!({ "fields": self.fields(entry, with_priority) });
            match self
                .client
                .send("POST", "rest/api/3/issue", Some(&body), false)
            {
                Ok(answer) => {
                    return answer["key"].as_str().map(str::to_string).ok_or_else(|| {
                        HttpError::Rejected("Jira created an issue but sent no key".to_string())
                    })
                }
                // Projects whose create screen has no priority field refuse it.
                Err(HttpError::Rejected(e)) if with_priority && e.contains("priority") => {
                    with_priority = false;
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn backoff(&self, n: u32) -> std::time::Duration {
        self.client.policy.backoff(n)
    }

    fn max_attempts(&self) -> u32 {
        self.client.policy.max_attempts
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}

/// Escape a JQL string literal's content.
fn jql_string(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Percent-encode a query-string value.
pub fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn text(t: &str) -> Value {
    json!({ "type": "text", "text": t })
}

fn marked(t: &str, mark: &str) -> Value {
    json!({ "type": "text", "text": t, "marks": [{ "type": mark }] })
}

fn paragraph(content: Vec<Value>) -> Value {
    let content: Vec<Value> = content
        .into_iter()
        .filter(|n| n["text"].as_str().is_some_and(|t| !t.is_empty()))
        .collect();
    json!({ "type": "paragraph", "content": content })
}

fn bullets(items: Vec<Vec<Value>>) -> Value {
    json!({
        "type": "bulletList",
        "content": items
            .into_iter()
            .map(|c| json!({ "type": "listItem", "content": [paragraph(c)] }))
            .collect::<Vec<_>>(),
    })
}

/// The description as an Atlassian Document Format document.
pub fn description(e: &Entry) -> Value {
    let mut content = vec![paragraph(vec![text(&format!(
        "{} · {} · priority {} · estimated effort {}",
        e.severity,
        e.rule,
        e.priority,
        format_minutes(u64::from(e.effort_minutes))
    ))])];
    if !e.why.is_empty() {
        content.push(paragraph(vec![
            marked("Why it hurts at scale. ", "strong"),
            text(&e.why),
        ]));
    }
    content.push(paragraph(vec![marked(
        &format!("Locations ({})", e.locations.len()),
        "strong",
    )]));
    content.push(bullets(
        e.locations
            .iter()
            .map(|l| {
                vec![
                    marked(&format!("{}:{}", l.path, l.line), "code"),
                    text(&format!(" {}", l.message)),
                ]
            })
            .collect(),
    ));
    if !e.evidence.is_empty() {
        content.push(paragraph(vec![marked("Evidence", "strong")]));
        content.push(bullets(
            e.evidence
                .iter()
                .map(|s| {
                    vec![
                        marked(&format!("{}:{}", s.path, s.line), "code"),
                        text(&format!(" {}", s.note)),
                    ]
                })
                .collect(),
        ));
    }
    if !e.fix.is_empty() {
        content.push(paragraph(vec![marked("Fix. ", "strong"), text(&e.fix)]));
    }
    content.push(paragraph(vec![text(&marker(&e.id))]));
    json!({ "type": "doc", "version": 1, "content": content })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_jql() {
        assert_eq!(encode("a = \"b\""), "a%20%3D%20%22b%22");
        assert_eq!(jql_string("a\"b"), "a\\\"b");
        assert_eq!(truncate("abcdef", 4), "abc…");
    }
}

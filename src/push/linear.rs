//! Linear (GraphQL): issues created with the `issueCreate` mutation, found
//! again by the marker line `faultline-id: <id>` in their description
//! (`issues` filtered by team and `description.contains`, paginated).
//!
//! Environment: `LINEAR_API_KEY` (a personal API key), `LINEAR_TEAM` (team
//! key such as `ENG`, or team id), `LINEAR_API_URL` (default
//! `https://api.linear.app/graphql`; tests and proxies point it elsewhere).

use super::http::{Client, HttpError};
use super::{env, marker, Tracker};
use crate::emit::markdown::entry_body;
use crate::finding::Severity;
use crate::register::Entry;
use serde_json::{json, Value};
use std::collections::HashMap;

/// Linear's public GraphQL endpoint.
pub const DEFAULT_URL: &str = "https://api.linear.app/graphql";

/// A Linear team.
#[derive(Debug)]
pub struct Linear {
    /// The HTTP client (endpoint and key).
    pub client: Client,
    team: String,
    team_id: Option<String>,
}

const ISSUES: &str = "query Issues($team: ID!, $marker: String!, $after: String) {
  issues(first: 100, after: $after, includeArchived: true,
         filter: { team: { id: { eq: $team } }, description: { contains: $marker } }) {
    nodes { identifier description }
    pageInfo { hasNextPage endCursor }
  }
}";

const CREATE: &str = "mutation Create($input: IssueCreateInput!) {
  issueCreate(input: $input) { success issue { id identifier url } }
}";

const TEAMS: &str = "query Teams($after: String) {
  teams(first: 100, after: $after) { nodes { id key name } pageInfo { hasNextPage endCursor } }
}";

impl Linear {
    /// From the environment variables.
    pub fn from_env() -> Result<Linear, String> {
        let key = env("LINEAR_API_KEY")?;
        let team = env("LINEAR_TEAM")?;
        let url = env("LINEAR_API_URL").unwrap_or_else(|_| DEFAULT_URL.to_string());
        Ok(Linear::new(&url, &key, &team))
    }

    /// For an endpoint, a key and a team (key or id).
    pub fn new(url: &str, key: &str, team: &str) -> Linear {
        let mut client = Client::new("Linear", url, key.to_string());
        client.auth_hint = "check LINEAR_API_KEY".to_string();
        Linear {
            client,
            team: team.to_string(),
            team_id: None,
        }
    }

    /// Run a GraphQL operation; GraphQL errors become HTTP-like errors
    /// (rate limits are waited out, authentication errors stop the run).
    fn gql(&self, query: &str, variables: Value, idempotent: bool) -> Result<Value, HttpError> {
        let body = json!({ "query": query, "variables": variables });
        let mut limited = 0;
        loop {
            let answer = match self.client.send("POST", "", Some(&body), idempotent) {
                Ok(answer) => answer,
                Err(HttpError::Rejected(e))
                    if e.contains("RATELIMITED") || e.contains("rate limit") =>
                {
                    limited += 1;
                    if limited >= self.client.policy.max_attempts {
                        return Err(HttpError::Retryable(e));
                    }
                    std::thread::sleep(self.client.policy.backoff(limited));
                    continue;
                }
                Err(HttpError::Rejected(e))
                    if e.contains("AUTHENTICATION") || e.contains("authenticat") =>
                {
                    return Err(HttpError::Fatal(format!("{e} (check LINEAR_API_KEY)")));
                }
                Err(e) => return Err(e),
            };
            if let Some(errors) = answer["errors"].as_array().filter(|e| !e.is_empty()) {
                let codes: Vec<&str> = errors
                    .iter()
                    .filter_map(|e| e["extensions"]["code"].as_str())
                    .collect();
                let message = errors
                    .iter()
                    .filter_map(|e| e["message"].as_str())
                    .collect::<Vec<_>>()
                    .join("; ");
                if codes.contains(&"RATELIMITED") {
                    limited += 1;
                    if limited >= self.client.policy.max_attempts {
                        return Err(HttpError::Retryable(format!("Linear: {message}")));
                    }
                    std::thread::sleep(self.client.policy.backoff(limited));
                    continue;
                }
                if codes.contains(&"AUTHENTICATION_ERROR") || codes.contains(&"FORBIDDEN") {
                    return Err(HttpError::Fatal(format!(
                        "Linear: {message} (check LINEAR_API_KEY and access to LINEAR_TEAM)"
                    )));
                }
                return Err(HttpError::Rejected(format!("Linear: {message}")));
            }
            return Ok(answer["data"].clone());
        }
    }

    fn team_id(&mut self) -> Result<String, HttpError> {
        if let Some(id) = &self.team_id {
            return Ok(id.clone());
        }
        let mut after: Option<String> = None;
        for _ in 0..1000 {
            let data = self.gql(TEAMS, json!({ "after": after }), true)?;
            for team in data["teams"]["nodes"].as_array().into_iter().flatten() {
                let id = team["id"].as_str().unwrap_or("");
                let key = team["key"].as_str().unwrap_or("");
                if id == self.team || key.eq_ignore_ascii_case(&self.team) {
                    self.team_id = Some(id.to_string());
                    return Ok(id.to_string());
                }
            }
            let page = &data["teams"]["pageInfo"];
            if page["hasNextPage"].as_bool() != Some(true) {
                break;
            }
            after = page["endCursor"].as_str().map(str::to_string);
        }
        Err(HttpError::Fatal(format!(
            "Linear has no team with key or id {:?} visible to this API key (check LINEAR_TEAM)",
            self.team
        )))
    }

    fn search(&mut self, needle: &str) -> Result<HashMap<String, String>, HttpError> {
        let team = self.team_id()?;
        let mut found = HashMap::new();
        let mut after: Option<String> = None;
        for _ in 0..10_000 {
            let data = self.gql(
                ISSUES,
                json!({ "team": team, "marker": needle, "after": after }),
                true,
            )?;
            for issue in data["issues"]["nodes"].as_array().into_iter().flatten() {
                let key = issue["identifier"].as_str().unwrap_or("").to_string();
                let text = issue["description"].as_str().unwrap_or("");
                for id in markers(text) {
                    found.insert(id, key.clone());
                }
            }
            let page = &data["issues"]["pageInfo"];
            if page["hasNextPage"].as_bool() != Some(true) {
                break;
            }
            after = page["endCursor"].as_str().map(str::to_string);
        }
        Ok(found)
    }
}

/// Entry ids in marker lines of a description.
pub fn markers(description: &str) -> Vec<String> {
    description
        .match_indices("faultline-id: ")
        .filter_map(|(at, m)| {
            let id: String = description[at + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_hexdigit())
                .collect();
            (!id.is_empty()).then_some(id)
        })
        .collect()
}

/// Linear's priority numbers: 1 urgent, 2 high, 3 medium, 4 low.
pub fn priority(severity: Severity) -> u8 {
    match severity {
        Severity::Critical => 1,
        Severity::High => 2,
        Severity::Medium => 3,
        Severity::Low => 4,
    }
}

impl Tracker for Linear {
    fn name(&self) -> &'static str {
        "Linear"
    }

    fn existing(&mut self) -> Result<HashMap<String, String>, HttpError> {
        self.search("faultline-id: ")
    }

    fn find(&mut self, id: &str) -> Result<Option<String>, HttpError> {
        Ok(self.search(&marker(id))?.remove(id))
    }

    fn create(&mut self, entry: &Entry) -> Result<String, HttpError> {
        let team = self.team_id()?;
        let input = json!({
            "teamId": team,
            "title": entry.title,
            "description": format!("{}\n{}\n", entry_body(entry), marker(&entry.id)),
            "priority": priority(entry.severity),
        });
        let data = self.gql(CREATE, json!({ "input": input }), false)?;
        let result = &data["issueCreate"];
        if result["success"].as_bool() != Some(true) {
            return Err(HttpError::Rejected(
                "Linear: issueCreate did not succeed".to_string(),
            ));
        }
        Ok(result["issue"]["identifier"]
            .as_str()
            .unwrap_or("(no identifier)")
            .to_string())
    }

    fn backoff(&self, n: u32) -> std::time::Duration {
        self.client.policy.backoff(n)
    }

    fn max_attempts(&self) -> u32 {
        self.client.policy.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_markers() {
        assert_eq!(
            markers("text\nfaultline-id: 00ff12ab34cd56ef\nmore faultline-id: x"),
            ["00ff12ab34cd56ef"]
        );
    }
}

//! A small JSON-over-HTTP client for the trackers, with the retry rules
//! trackers need:
//!
//! - 429: wait for `Retry-After` (seconds; capped) and send again — a
//!   rate-limited request was not processed, so resending is safe;
//! - 5xx and transport errors: retried with exponential backoff only for
//!   requests that are safe to repeat (reads); for a create the caller
//!   first checks whether the issue exists after all (see
//!   [`super::run`]);
//! - 401, 403, 404: stop with an error that says what to check.
//!
//! The authorization header is held here and never printed: errors show
//! the method, the path and the tracker's message only.

use serde_json::Value;
use std::time::Duration;

/// How often and how long to retry.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all for one request (429s included).
    pub max_attempts: u32,
    /// First backoff after a 5xx; doubles each time.
    pub base_delay: Duration,
    /// Longest backoff and longest `Retry-After` honoured.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 8,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Backoff before attempt `n + 1` after `n` failures (n ≥ 1).
    pub fn backoff(&self, n: u32) -> Duration {
        let factor = 2u32.saturating_pow(n.saturating_sub(1).min(16));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }
}

/// What went wrong talking to a tracker.
#[derive(Debug, Clone, PartialEq)]
pub enum HttpError {
    /// A server error or a broken connection: the request may or may not
    /// have been processed.
    Retryable(String),
    /// Stop everything: credentials, permissions, or a wrong URL/project.
    Fatal(String),
    /// This request was refused (e.g. 400); others may still work.
    Rejected(String),
}

impl std::fmt::Display for HttpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HttpError::Retryable(m) | HttpError::Fatal(m) | HttpError::Rejected(m) => {
                f.write_str(m)
            }
        }
    }
}

/// A client for one tracker.
pub struct Client {
    agent: ureq::Agent,
    base: String,
    authorization: String,
    tracker: &'static str,
    /// Retry rules.
    pub policy: RetryPolicy,
    /// What to check on 401/403 (names the environment variables).
    pub auth_hint: String,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.base)
            .field("tracker", &self.tracker)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `base` (no trailing slash needed) sending
    /// `authorization` with every request.
    pub fn new(tracker: &'static str, base: &str, authorization: String) -> Client {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .user_agent(concat!("faultline/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client {
            agent,
            base: base.trim_end_matches('/').to_string(),
            authorization,
            tracker,
            policy: RetryPolicy::default(),
            auth_hint: String::new(),
        }
    }

    /// The URL of a path.
    pub fn url(&self, path: &str) -> String {
        if path.is_empty() {
            self.base.clone()
        } else {
            format!("{}/{}", self.base, path.trim_start_matches('/'))
        }
    }

    /// Send a request; retry 429 always and 5xx/transport errors when
    /// `idempotent`. Returns the JSON body of a 2xx answer.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        idempotent: bool,
    ) -> Result<Value, HttpError> {
        let mut failures = 0;
        loop {
            match self.send_once(method, path, body) {
                Ok(Answer::Done(value)) => return Ok(value),
                Ok(Answer::RateLimited(wait)) => {
                    failures += 1;
                    if failures >= self.policy.max_attempts {
                        return Err(HttpError::Retryable(format!(
                            "{} kept answering 429 Too Many Requests to {method} {path} ({failures} attempts)",
                            self.tracker
                        )));
                    }
                    let wait = wait.unwrap_or_else(|| self.policy.backoff(failures));
                    if wait > self.policy.max_delay {
                        return Err(HttpError::Fatal(format!(
                            "{} is rate limiting for {}s (Retry-After); try again later",
                            self.tracker,
                            wait.as_secs()
                        )));
                    }
                    std::thread::sleep(wait);
                }
                Err(HttpError::Retryable(message)) if idempotent => {
                    failures += 1;
                    if failures >= self.policy.max_attempts {
                        return Err(HttpError::Retryable(format!(
                            "{message} (gave up after {failures} attempts)"
                        )));
                    }
                    std::thread::sleep(self.policy.backoff(failures));
                }
                Err(e) => return Err(e),
            }
        }
    }

    fn send_once(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, HttpError> {
        let url = self.url(path);
        let auth = self.authorization.as_str();
        let result = match (method, body) {
            ("GET", _) => self
                .agent
                .get(&url)
                .header("Authorization", auth)
                .header("Accept", "application/json")
                .call(),
            (_, body) => {
                let text = body.map(|b| b.to_string()).unwrap_or_default();
                let request = match method {
                    "PUT" => self.agent.put(&url),
                    _ => self.agent.post(&url),
                };
                request
                    .header("Authorization", auth)
                    .header("Accept", "application/json")
                    .header("Content-Type", "application/json")
                    .send(text)
            }
        };
        let response = result.map_err(|e| {
            HttpError::Retryable(format!(
                "{method} {path} to {}: {}",
                self.tracker,
                transport_message(&e)
            ))
        })?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let text = response.into_body().read_to_string().map_err(|e| {
            HttpError::Retryable(format!("{method} {path}: reading the answer: {e}"))
        })?;
        let json = || serde_json::from_str::<Value>(&text).unwrap_or(Value::Null);
        match status {
            200..=299 => Ok(Answer::Done(json())),
            429 => Ok(Answer::RateLimited(retry_after)),
            401 | 403 => Err(HttpError::Fatal(format!(
                "{} answered {status} {} to {method} {path}: {}{}",
                self.tracker,
                if status == 401 { "Unauthorized" } else { "Forbidden" },
                summary(&text),
                if self.auth_hint.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", self.auth_hint)
                }
            ))),
            404 => Err(HttpError::Fatal(format!(
                "{} answered 404 Not Found to {method} {}: {} (check the URL and the project or team)",
                self.tracker,
                url_without_query(&url),
                summary(&text)
            ))),
            500..=599 => Err(HttpError::Retryable(format!(
                "{} answered {status} to {method} {path}: {}",
                self.tracker,
                summary(&text)
            ))),
            _ => Err(HttpError::Rejected(format!(
                "{} answered {status} to {method} {path}: {}",
                self.tracker,
                summary(&text)
            ))),
        }
    }
}

enum Answer {
    Done(Value),
    RateLimited(Option<Duration>),
}

fn url_without_query(url: &str) -> &str {
    url.split('?').next().unwrap_or(url)
}

fn transport_message(e: &ureq::Error) -> String {
    e.to_string()
}

/// The useful part of an error body: Jira's `errorMessages`/`errors`,
/// GraphQL `errors[].message`, or the first 300 characters.
pub fn summary(text: &str) -> String {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        let mut parts = Vec::new();
        if let Some(list) = v.get("errorMessages").and_then(Value::as_array) {
            parts.extend(list.iter().filter_map(Value::as_str).map(str::to_string));
        }
        if let Some(map) = v.get("errors").and_then(Value::as_object) {
            parts.extend(
                map.iter()
                    .map(|(k, m)| format!("{k}: {}", m.as_str().unwrap_or(""))),
            );
        }
        if let Some(list) = v.get("errors").and_then(Value::as_array) {
            parts.extend(list.iter().filter_map(|e| {
                let message = e.get("message").and_then(Value::as_str)?;
                Some(match e["extensions"]["code"].as_str() {
                    Some(code) => format!("{message} ({code})"),
                    None => message.to_string(),
                })
            }));
        }
        if !parts.is_empty() {
            return parts.join("; ");
        }
    }
    let t = text.trim();
    if t.is_empty() {
        "(empty answer)".to_string()
    } else {
        t.chars().take(300).collect()
    }
}

/// Standard base64 (for HTTP Basic authentication).
pub fn base64(input: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (input, expected) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(input.as_bytes()), expected);
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
        };
        assert_eq!(p.backoff(1), Duration::from_millis(100));
        assert_eq!(p.backoff(2), Duration::from_millis(200));
        assert_eq!(p.backoff(3), Duration::from_millis(350));
    }

    #[test]
    fn error_summaries() {
        assert_eq!(
            summary(r#"{"errorMessages":["No project"],"errors":{"summary":"too long"}}"#),
            "No project; summary: too long"
        );
        assert_eq!(summary(r#"{"errors":[{"message":"bad"}]}"#), "bad");
        assert_eq!(
            summary(r#"{"errors":[{"message":"slow","extensions":{"code":"RATELIMITED"}}]}"#),
            "slow (RATELIMITED)"
        );
        assert_eq!(summary(""), "(empty answer)");
    }
}

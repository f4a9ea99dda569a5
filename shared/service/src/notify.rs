//! Detect-mode alerts to a Slack-compatible incoming webhook.
//!
//! Owns: the message text (entity kinds, masked preview, link) and the POST. The URL is a
//! credential from the secret document. Must never: log the URL, or send anything but masked
//! text, ids and kinds.

use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};

use crate::ports::{Alert, Notifier, NotifyError};

pub struct WebhookNotifier {
    http: reqwest::Client,
    url: SecretString,
}

impl std::fmt::Debug for WebhookNotifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookNotifier").finish_non_exhaustive()
    }
}

impl WebhookNotifier {
    pub fn new(url: SecretString) -> Result<Self, NotifyError> {
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|_| NotifyError::Rejected("http client".into()))?;
        Ok(Self { http, url })
    }
}

/// The Slack message: `{"text": …}` (also accepted by Mattermost, Teams workflows, Discord's
/// Slack-compatible endpoint).
pub fn alert_text(a: &Alert) -> String {
    format!(
        "DLP: sensitive data ({}) in a conversation.\n> {}\n<{}|Open conversation {}> · vault entry {}",
        a.entity_kinds.join(", "),
        a.masked_preview.replace('\n', "\n> "),
        a.conversation_url,
        a.conversation_id,
        a.entry_id
    )
}

#[async_trait]
impl Notifier for WebhookNotifier {
    async fn notify(&self, alert: &Alert) -> Result<(), NotifyError> {
        let body = serde_json::json!({ "text": alert_text(alert) });
        let resp = self
            .http
            .post(self.url.expose_secret())
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                NotifyError::Unavailable(
                    if e.is_timeout() {
                        "timeout"
                    } else {
                        "connection"
                    }
                    .into(),
                )
            })?;
        let status = resp.status();
        if status.is_success() {
            Ok(())
        } else if status.as_u16() == 429 || status.is_server_error() {
            Err(NotifyError::Unavailable(format!(
                "status {}",
                status.as_u16()
            )))
        } else {
            Err(NotifyError::Rejected(format!("status {}", status.as_u16())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_has_kinds_preview_and_link() {
        let a = Alert {
            workspace_id: "ws".into(),
            conversation_id: "123".into(),
            part_id: "p".into(),
            entry_id: "01J".into(),
            entity_kinds: vec!["US_SSN".into()],
            masked_preview: "ssn [US_SSN]".into(),
            conversation_url: "https://app.intercom.com/a/apps/ws/inbox/inbox/conversation/123"
                .into(),
        };
        let t = alert_text(&a);
        assert!(
            t.contains("US_SSN") && t.contains("ssn [US_SSN]") && t.contains("conversation/123")
        );
    }
}

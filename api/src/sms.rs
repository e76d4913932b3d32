//! Text messages to phones (one-time codes, invitations). Without a gateway configured the
//! message is written to the log, and the last ones are kept in memory for the tests: that
//! is the embedded default, where whoever runs it reads the code from the console. With
//! `SMS_GATEWAY_URL` each message is POSTed to the operator's gateway (docs/operations.md).

use std::{collections::VecDeque, sync::Mutex, time::Duration};

use anyhow::Context as _;

use crate::config::Secret;

/// Sends one message to one phone; `Err` when it could not be handed over.
#[async_trait::async_trait]
pub trait SmsSender: Send + Sync {
    async fn send(&self, phone: &str, text: &str) -> anyhow::Result<()>;
    /// For the startup log: where messages go.
    fn describe(&self) -> String;
}

/// A message the logging sender kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentSms {
    pub phone: String,
    pub text: String,
}

/// How many messages the logging sender keeps for whoever asks.
const KEPT: usize = 200;

/// Writes each message to the log instead of sending it.
#[derive(Default)]
pub struct LoggingSms {
    kept: Mutex<VecDeque<SentSms>>,
}

impl LoggingSms {
    /// The newest message sent to `phone`.
    pub fn last_to(&self, phone: &str) -> Option<String> {
        let kept = self.kept.lock().expect("sms log lock");
        kept.iter()
            .rev()
            .find(|m| m.phone == phone)
            .map(|m| m.text.clone())
    }

    pub fn sent(&self) -> Vec<SentSms> {
        self.kept
            .lock()
            .expect("sms log lock")
            .iter()
            .cloned()
            .collect()
    }
}

#[async_trait::async_trait]
impl SmsSender for LoggingSms {
    async fn send(&self, phone: &str, text: &str) -> anyhow::Result<()> {
        tracing::info!(
            to = phone,
            text,
            "SMS (no gateway configured: logged, not sent)"
        );
        let mut kept = self.kept.lock().expect("sms log lock");
        if kept.len() == KEPT {
            kept.pop_front();
        }
        kept.push_back(SentSms {
            phone: phone.to_owned(),
            text: text.to_owned(),
        });
        Ok(())
    }

    fn describe(&self) -> String {
        "the log (no SMS_GATEWAY_URL set)".into()
    }
}

/// POSTs `{"phone": "...", "text": "..."}` as JSON to the gateway, with the token as a
/// bearer credential; any 2xx answer means the gateway took the message.
pub struct HttpSms {
    client: reqwest::Client,
    url: String,
    token: Option<Secret>,
}

impl HttpSms {
    pub fn new(url: &str, token: Option<Secret>) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .context("building the SMS gateway client")?;
        Ok(Self {
            client,
            url: url.to_owned(),
            token,
        })
    }
}

#[async_trait::async_trait]
impl SmsSender for HttpSms {
    async fn send(&self, phone: &str, text: &str) -> anyhow::Result<()> {
        let mut request = self
            .client
            .post(&self.url)
            .json(&serde_json::json!({ "phone": phone, "text": text }));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token.expose());
        }
        let response = request.send().await.context("reaching the SMS gateway")?;
        let status = response.status();
        anyhow::ensure!(status.is_success(), "the SMS gateway answered {status}");
        Ok(())
    }

    fn describe(&self) -> String {
        format!("the gateway at {}", self.url)
    }
}

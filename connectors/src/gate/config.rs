//! Settings of the entry gate (`[gate]` in the configuration file).

use serde::{Deserialize, Serialize};

const DAY_SECS: u64 = 24 * 60 * 60;

#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GateConfig {
    /// Rotation period of the entry codes of new credentials, in seconds.
    pub period_secs: u32,
    /// Lifetime of a new entry credential, in seconds (30 days).
    pub credential_lifetime_secs: u64,
    /// Seconds before expiry from which the app should enroll a new credential (7 days).
    pub renew_window_secs: u64,
    /// Most accepted scans of one entry code: the shopper and their companions.
    pub group_entry_limit: u32,
    /// Seconds after a code's first accepted scan during which companions may follow.
    pub group_window_secs: u64,
    /// Most trips one shopper may open within `velocity_window_secs`.
    pub velocity_limit: u32,
    /// Window of the velocity check, in seconds.
    pub velocity_window_secs: u64,
    /// Longest time a companion scan waits for the decision on the first scan of its code,
    /// in milliseconds. It should exceed the payment hold's time budget.
    pub companion_wait_ms: u64,
    /// Base64 of the 32-byte AES-256-GCM key that seals entry secrets at rest. Unset means
    /// `data_key` from `credentials.toml`.
    pub data_key: Option<String>,
    /// Earlier data keys (Base64, 32 bytes each), kept to open secrets sealed before a rotation.
    pub old_data_keys: Vec<String>,
}

impl Default for GateConfig {
    fn default() -> Self {
        GateConfig {
            period_secs: walkout_core::entry::code::DEFAULT_PERIOD_SECS,
            credential_lifetime_secs: 30 * DAY_SECS,
            renew_window_secs: 7 * DAY_SECS,
            group_entry_limit: 4,
            group_window_secs: 60,
            velocity_limit: 10,
            velocity_window_secs: 60 * 60,
            companion_wait_ms: 5_000,
            data_key: None,
            old_data_keys: Vec::new(),
        }
    }
}

/// Leaves the data keys out, because the configuration is logged and printed in errors.
impl std::fmt::Debug for GateConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GateConfig")
            .field("period_secs", &self.period_secs)
            .field("credential_lifetime_secs", &self.credential_lifetime_secs)
            .field("renew_window_secs", &self.renew_window_secs)
            .field("group_entry_limit", &self.group_entry_limit)
            .field("group_window_secs", &self.group_window_secs)
            .field("velocity_limit", &self.velocity_limit)
            .field("velocity_window_secs", &self.velocity_window_secs)
            .field("companion_wait_ms", &self.companion_wait_ms)
            .field("data_key", &self.data_key.as_ref().map(|_| "<redacted>"))
            .field("old_data_keys", &self.old_data_keys.len())
            .finish()
    }
}

impl GateConfig {
    /// Checks the values that would make the gate misbehave; the error names the key.
    pub fn validate(&self) -> Result<(), String> {
        if self.period_secs == 0 {
            return Err("gate.period_secs must be at least 1".to_owned());
        }
        if self.group_entry_limit == 0 {
            return Err("gate.group_entry_limit must be at least 1".to_owned());
        }
        if self.credential_lifetime_secs == 0 {
            return Err("gate.credential_lifetime_secs must be at least 1".to_owned());
        }
        if self.renew_window_secs >= self.credential_lifetime_secs {
            return Err(
                "gate.renew_window_secs must be shorter than gate.credential_lifetime_secs"
                    .to_owned(),
            );
        }
        Ok(())
    }
}

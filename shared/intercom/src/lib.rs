//! Intercom: webhook verification, notification model, part text, API client.

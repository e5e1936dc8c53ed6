//! Help-desk operations, composed from the shared domain logic and the
//! store: intake of tickets, agents' work, files, merges, SLA sweeps, scheduled rules, erasure and retention, KB
//! publishing, the settings of record, password-reset links, metrics, retraining, asking for ratings, spam, and mailing
//! agents the alerts they asked for.

pub(crate) mod archive;
pub(crate) mod cron;
pub(crate) mod daily_summary;
pub(crate) mod erasure;
pub(crate) mod files;
pub(crate) mod identity;
pub(crate) mod intake;
pub(crate) mod mail;
pub(crate) mod mail_alerts;
pub(crate) mod merge;
pub(crate) mod password_reset;
pub(crate) mod publish;
pub(crate) mod rating_request;
pub(crate) mod report;
pub(crate) mod retention;
pub(crate) mod retrain;
pub(crate) mod scheduled_rules;
pub(crate) mod settings;
pub(crate) mod sla_sweep;
pub(crate) mod spam;
pub(crate) mod views;
pub(crate) mod webhooks;
pub(crate) mod work;

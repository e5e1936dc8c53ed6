//! Request and response types shared by the widget, the dashboard and the
//! edge. Only these types derive serde for the wire; each request type has a
//! `validate` that turns it into checked values at the boundary.

mod agent;
mod error;
mod events;
mod identity;
mod kb;
mod metrics;
mod paging;
mod settings;
mod ticket;
mod two_factor;
pub mod validate;
mod webhook;

pub use agent::{
    AgentCreated, AgentUpdate, AgentView, AuditEntry, Away, CustomerExport, CustomerLine, CustomerTicketView,
    CustomerUpdate, CustomerView, ERASED_TEXT, Erasure, ExportedQuestion, ExportedTicket, Following, Login,
    MAX_TOKEN_DAYS, MIN_PASSWORD, MailAlerts, MergeTickets, NewAgent, NewToken, PRESENCE_FRESH_MS, PasswordChange,
    PasswordReset, PasswordResetRequest, PresenceUpdate, Role, SPAM_TAG, Signature, SuggestedArticle, TicketDetail,
    TicketSummary, TicketThread, TokenCreated, TokenView, Viewer, password,
};
pub use error::{ApiError, ErrorBody};
pub use events::{EventKind, WidgetEvent};
pub use identity::{Identity, IdentitySecret, MAX_VERIFIED_TICKETS, VerifiedCustomer, VerifiedTicket, VerifiedTickets};
pub use kb::{
    ArticleInput, ArticlePerformance, ArticleRevision, ArticleView, CategoryOrder, IfMatch, KbStatus, MAX_PHRASINGS,
    RevisionAction, TryAnswer, TryHit, TryQuestion, parse_markdown, revision_etag, slug, to_markdown, with_phrasings,
};
pub use metrics::{DayCounts, Feedback, MAX_FEEDBACK, Metrics, RetrainPart, RetrainReport};
pub use paging::{AFTER, QueueCursor, TOTAL_COUNT, TimeCursor, next_link, next_link_header};
pub use settings::{RateLimits, Settings, Site};
pub use ticket::{
    Attachment, Author, BulkFailure, BulkResult, BulkUpdate, CHANNEL_WEB, CHANNEL_WIDGET, ContactForm, CreateTicket,
    Csat, CustomerInput, CustomerTicket, KnownTicket, LOGGED_CHANNELS, LogTicket, MAX_BULK, MAX_MESSAGE, MAX_SHOWN,
    MAX_SNOOZE_HOURS, MAX_UNREAD_QUERY, Message, NewMessage, NewTicket, QueueItem, SlaView, Status, TicketCreated,
    TicketLink, TicketUpdate, UnreadQuery, UnreadTickets,
};
pub use two_factor::{
    RecoveryCodes, SessionView, TwoFactorCode, TwoFactorOff, TwoFactorSetup, TwoFactorStart, password_field,
};
pub use webhook::{DeliveryState, WebhookDelivery, WebhookSecret, WebhookTest};

//! E-mail as a channel: a customer's mail to the support address becomes a
//! ticket, or a message of the ticket it answers, and an agent's reply goes
//! back to them as mail in the same thread.
//!
//! Pure, like the rest of the crate: the edge receives the raw mail and
//! sends what [`compose`] writes. [`inbound`] reads a mail (sender, subject,
//! the new text without the quoted history, the messages it answers, and
//! whether a machine sent it); [`reference`] names a ticket's mails so that
//! an answer finds its ticket again; [`outbound`] writes a reply as RFC 5322
//! text, with its files.

pub mod inbound;
pub mod outbound;
pub mod reference;

pub use inbound::{InboundMail, MailError, parse};
pub use outbound::{OutgoingFile, PageLink, Reply, compose};

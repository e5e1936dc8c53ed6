//! Mail alerts to agents: who hears of what by mail, and the mail itself.
//!
//! An agent turns on the alerts they want ([`MailAlerts`]); the edge asks
//! [`recipients`] whom one happening alerts, keeps one alert per agent
//! and ticket waiting to go, and mails it with [`compose`]. An alert is a
//! notice, not a thread: it says who wrote what and links the ticket in
//! the dashboard, where the agent answers. Its Message-ID names no ticket
//! ([`crate::email::reference::alert_id`]), so a reply to it never reaches
//! the customer, and it is marked as sent by a machine (RFC 3834), so
//! auto-responders leave it alone.

use crate::api::MailAlerts;
use crate::business_hours::Schedule;
use crate::email::outbound::{base64_lines, clean, encode_words, mailbox, rfc5322_date};

/// The most characters of the customer's words an alert quotes.
pub const EXCERPT_CHARS: usize = 600;

/// What an agent can be alerted of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Event {
    /// A teammate mentioned them in an internal note.
    Mentioned,
    /// A ticket was given to them.
    Assigned,
    /// A ticket missed its SLA target.
    SlaMissed,
    /// The customer of their ticket wrote again.
    CustomerReplied,
    /// A new ticket came in.
    NewTicket,
}

impl Event {
    /// Every event, the one that says most first: an agent alerted of two
    /// at once gets one mail, about the first.
    pub const ALL: [Event; 5] =
        [Event::Mentioned, Event::Assigned, Event::SlaMissed, Event::CustomerReplied, Event::NewTicket];

    /// Its name in storage.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::Mentioned => "mentioned",
            Event::Assigned => "assigned",
            Event::SlaMissed => "sla_missed",
            Event::CustomerReplied => "customer_replied",
            Event::NewTicket => "new_ticket",
        }
    }

    /// The event of a stored name.
    pub fn parse(s: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// Whether an agent with these alerts wants this one.
    pub fn wanted_by(self, alerts: &MailAlerts) -> bool {
        match self {
            Event::Mentioned => alerts.mentioned,
            Event::Assigned => alerts.assigned,
            Event::SlaMissed => alerts.sla_missed,
            Event::CustomerReplied => alerts.customer_replied,
            Event::NewTicket => alerts.new_ticket,
        }
    }

    /// What it is, as a mail's subject starts.
    pub fn headline(self) -> &'static str {
        match self {
            Event::Mentioned => "Mentioned",
            Event::Assigned => "Assigned to you",
            Event::SlaMissed => "SLA missed",
            Event::CustomerReplied => "New reply",
            Event::NewTicket => "New ticket",
        }
    }

    /// The alerts that ask for it, in the words of the account page.
    fn setting(self) -> &'static str {
        match self {
            Event::Mentioned => "when a teammate mentions you in a note",
            Event::Assigned => "when a ticket is given to you",
            Event::SlaMissed => {
                "when a ticket of yours (or one you follow, or of your team that no one has) misses its SLA target"
            }
            Event::CustomerReplied => "when the customer of a ticket of yours (or one you follow) writes again",
            Event::NewTicket => "when a new ticket comes in",
        }
    }
}

/// An agent as alerts see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent<'a> {
    /// Id.
    pub id: &'a str,
    /// Whether they can log in and work.
    pub active: bool,
    /// Away: they hear of no new tickets until back.
    pub away: bool,
    /// Their teams.
    pub teams: &'a [String],
    /// What they asked to be mailed about.
    pub alerts: MailAlerts,
}

/// What happened to one ticket, as alerts see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Happening<'a> {
    /// The events, in any order.
    pub events: &'a [Event],
    /// The ticket's assignee now.
    pub assignee: Option<&'a str>,
    /// The ticket's team now.
    pub team: Option<&'a str>,
    /// The agent who made it happen, who needs no mail about it; `None`
    /// for a customer or the desk's own automation.
    pub actor: Option<&'a str>,
    /// The agents a note mentions.
    pub mentioned: &'a [&'a str],
    /// The agents who follow the ticket.
    pub followers: &'a [&'a str],
    /// The ticket came in as spam (its sender is blocked): it alerts no one.
    pub spam: bool,
}

/// The agents a happening alerts, each once, with the event their mail is
/// about, in the order of `agents`.
///
/// - `Mentioned` alerts the agents the note mentions;
/// - `Assigned` alerts the assignee; `CustomerReplied` the assignee and
///   the ticket's followers;
/// - `NewTicket` alerts every agent of the ticket's team (every agent,
///   when it has none) who is not away;
/// - `SlaMissed` alerts the assignee (or while no one has the ticket, the
///   agents `NewTicket` would) and the ticket's followers;
/// - no one is alerted of what they did themselves, nor while inactive,
///   nor of spam.
pub fn recipients(h: &Happening<'_>, agents: &[Agent<'_>]) -> Vec<(String, Event)> {
    if h.spam {
        return Vec::new();
    }
    let mut out = Vec::new();
    for a in agents {
        if !a.active || h.actor == Some(a.id) {
            continue;
        }
        let of_team = !a.away && h.team.is_none_or(|t| a.teams.iter().any(|own| own == t));
        let concerns = |e: Event| match e {
            Event::Mentioned => h.mentioned.contains(&a.id),
            Event::Assigned => h.assignee == Some(a.id),
            Event::CustomerReplied => h.assignee == Some(a.id) || h.followers.contains(&a.id),
            Event::NewTicket => of_team,
            Event::SlaMissed => h.assignee.map_or(of_team, |id| id == a.id) || h.followers.contains(&a.id),
        };
        let first = Event::ALL.into_iter().find(|e| h.events.contains(e) && e.wanted_by(&a.alerts) && concerns(*e));
        if let Some(e) = first {
            out.push((a.id.to_string(), e));
        }
    }
    out
}

/// When an alert that comes at `now` is mailed: at once, or for an agent
/// who asked for alerts in business hours only, when the desk next opens
/// (at once while it is open, or keeps no business hours).
pub fn send_at(now: i64, alerts: &MailAlerts, hours: Option<&Schedule>) -> i64 {
    match hours {
        Some(schedule) if alerts.business_hours_only => schedule.next_open(now),
        _ => now,
    }
}

/// One alert, ready to mail.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert<'a> {
    /// What it is about.
    pub event: Event,
    /// The address it comes from (the desk's own).
    pub from: &'a str,
    /// The name shown as the sender (the site's).
    pub from_name: &'a str,
    /// The agent's address.
    pub to: &'a str,
    /// The agent's name.
    pub to_name: &'a str,
    /// The ticket's subject.
    pub subject: &'a str,
    /// The ticket's short tag (`[#0123456789]`).
    pub tag: &'a str,
    /// Whose words it quotes: the customer's name (or their address when
    /// they gave none), or for a mention the teammate's.
    pub who: &'a str,
    /// Their words: the customer's latest, or the note.
    pub text: &'a str,
    /// The ticket in the dashboard, when the desk knows its own address.
    pub link: Option<&'a str>,
    /// Its Message-ID, without brackets
    /// ([`alert_id`](crate::email::reference::alert_id)).
    pub message_id: &'a str,
    /// When it is sent, ms since the epoch.
    pub sent_at: i64,
}

impl Alert<'_> {
    /// The mail's subject line.
    pub fn subject_line(&self) -> String {
        format!("{}: {} {}", self.event.headline(), self.subject.trim(), self.tag)
    }

    /// The mail's text.
    pub fn text(&self) -> String {
        let opening = match self.event {
            Event::Mentioned => format!("{} mentioned you in a note on {}:", self.who, self.tag),
            Event::Assigned => format!("{} is yours now. {} wrote:", self.tag, self.who),
            Event::SlaMissed => format!("{} missed its SLA target. {} wrote:", self.tag, self.who),
            Event::CustomerReplied => format!("{} wrote again on {}:", self.who, self.tag),
            Event::NewTicket => format!("{} opened {}:", self.who, self.tag),
        };
        let quoted: String =
            excerpt(self.text, EXCERPT_CHARS).lines().map(|l| format!("> {l}\n")).collect::<Vec<_>>().concat();
        let open = match self.link {
            Some(url) => format!("Open the ticket: {url}\n\n"),
            None => String::new(),
        };
        format!(
            "{opening}\n\n{quoted}\n{open}Answer in the dashboard: a reply to this mail does not reach the customer.\n\
             You get this mail because you asked to be mailed {}; turn it off on your account page.\n",
            self.event.setting()
        )
    }
}

/// The customer's words cut to at most `max` characters, at a word break
/// where there is one, with an ellipsis when cut.
pub fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(char::is_whitespace) {
        Some(at) if at > cut.len() / 2 => cut[..at].trim_end().to_string(),
        _ => cut,
    };
    format!("{cut}…")
}

/// The alert as an RFC 5322 message: plain text, UTF-8, base64.
pub fn compose(a: &Alert<'_>) -> String {
    let envelope = Envelope {
        from: a.from,
        from_name: a.from_name,
        to: a.to,
        to_name: a.to_name,
        message_id: a.message_id,
        sent_at: a.sent_at,
    };
    message(&envelope, &a.subject_line(), &a.text())
}

/// Alerts due for one agent at once from this many on come in one mail
/// (a selection of tickets given to them in the queue, a burst of new
/// tickets), so a busy minute is one mail, not dozens.
pub const DIGEST_FROM: usize = 4;

/// Who a mail goes from and to, and its name and time.
#[derive(Debug, Clone, PartialEq)]
pub struct Envelope<'a> {
    /// The address it comes from (the desk's own).
    pub from: &'a str,
    /// The name shown as the sender.
    pub from_name: &'a str,
    /// The agent's address.
    pub to: &'a str,
    /// The agent's name.
    pub to_name: &'a str,
    /// Its Message-ID, without brackets.
    pub message_id: &'a str,
    /// When it is sent, ms since the epoch.
    pub sent_at: i64,
}

/// One alert of a digest: what happened to which ticket.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestItem<'a> {
    /// What happened.
    pub event: Event,
    /// The ticket's subject.
    pub subject: &'a str,
    /// The ticket's short tag.
    pub tag: &'a str,
    /// The ticket in the dashboard, when the desk knows its own address.
    pub link: Option<&'a str>,
}

/// The subject line of a digest of these alerts: how many, and of what.
pub fn digest_subject(items: &[DigestItem<'_>]) -> String {
    let counts: Vec<String> = Event::ALL
        .into_iter()
        .filter_map(|e| {
            let n = items.iter().filter(|i| i.event == e).count();
            (n > 0).then(|| format!("{} {n}", e.headline()))
        })
        .collect();
    format!("{} alerts: {}", items.len(), counts.join(", "))
}

/// The text of a digest: one line per alert, with its ticket's link.
pub fn digest_text(items: &[DigestItem<'_>]) -> String {
    let mut out = format!("{} alerts came at once, so they come in one mail:\n\n", items.len());
    for i in items {
        out.push_str(&format!("- {}: {} {}\n", i.event.headline(), i.subject.trim(), i.tag));
        if let Some(url) = i.link {
            out.push_str(&format!("  {url}\n"));
        }
    }
    out.push_str(
        "\nAnswer in the dashboard: a reply to this mail does not reach any customer.\n\
         You get this mail because of the alerts you chose; change them on your account page.\n",
    );
    out
}

/// A digest of several alerts as an RFC 5322 message.
pub fn compose_digest(envelope: &Envelope<'_>, items: &[DigestItem<'_>]) -> String {
    message(envelope, &digest_subject(items), &digest_text(items))
}

/// A plain-text message, UTF-8 and base64, marked as sent by a machine.
pub(crate) fn message(e: &Envelope<'_>, subject: &str, text: &str) -> String {
    let head = [
        format!("From: {}", mailbox(Some(e.from_name), e.from)),
        format!("To: {}", mailbox(Some(e.to_name), e.to)),
        format!("Subject: {}", encode_words(subject)),
        format!("Date: {}", rfc5322_date(e.sent_at)),
        format!("Message-ID: <{}>", clean(e.message_id)),
        "Auto-Submitted: auto-generated".into(),
        "X-Auto-Response-Suppress: All".into(),
        "MIME-Version: 1.0".into(),
        "Content-Type: text/plain; charset=utf-8".into(),
        "Content-Transfer-Encoding: base64".into(),
    ];
    let text = text.replace("\r\n", "\n").replace('\n', "\r\n");
    format!("{}\r\n\r\n{}\r\n", head.join("\r\n"), base64_lines(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::email::inbound;

    fn all_on() -> MailAlerts {
        MailAlerts {
            mentioned: true,
            assigned: true,
            customer_replied: true,
            new_ticket: true,
            sla_missed: true,
            business_hours_only: false,
            daily_summary: false,
        }
    }

    fn off() -> MailAlerts {
        MailAlerts { mentioned: false, ..MailAlerts::default() }
    }

    fn agent<'a>(id: &'a str, teams: &'a [String], alerts: MailAlerts) -> Agent<'a> {
        Agent { id, active: true, away: false, teams, alerts }
    }

    fn happening<'a>(events: &'a [Event], assignee: Option<&'a str>) -> Happening<'a> {
        Happening { events, assignee, team: None, actor: None, mentioned: &[], followers: &[], spam: false }
    }

    #[test]
    fn alerts_in_business_hours_only_wait_for_the_next_opening() {
        let hours = crate::business_hours::BusinessHours::default().schedule().expect("valid");
        // Saturday 28 November 2026, 12:00 UTC; the desk opens Monday at nine.
        let saturday = 1_795_867_200_000;
        let monday_nine = saturday + (2 * 24 - 3) * 3_600_000;
        let waits = MailAlerts { business_hours_only: true, ..all_on() };
        assert_eq!(send_at(saturday, &waits, Some(&hours)), monday_nine);
        assert_eq!(send_at(monday_nine + 60_000, &waits, Some(&hours)), monday_nine + 60_000, "open: at once");
        assert_eq!(send_at(saturday, &all_on(), Some(&hours)), saturday, "did not ask to wait");
        assert_eq!(send_at(saturday, &waits, None), saturday, "a desk open around the clock");
    }

    #[test]
    fn only_the_assignee_hears_of_an_assignment_or_a_reply() {
        let none: Vec<String> = Vec::new();
        let agents = [agent("ann", &none, all_on()), agent("bo", &none, all_on())];
        for e in [Event::Assigned, Event::CustomerReplied] {
            assert_eq!(recipients(&happening(&[e], Some("bo")), &agents), vec![("bo".to_string(), e)]);
            assert!(recipients(&happening(&[e], None), &agents).is_empty(), "{e:?} of an unassigned ticket");
        }
    }

    #[test]
    fn nobody_hears_of_what_they_did_themselves() {
        let none: Vec<String> = Vec::new();
        let agents = [agent("ann", &none, all_on()), agent("bo", &none, all_on())];
        let h = Happening { actor: Some("bo"), ..happening(&[Event::Assigned], Some("bo")) };
        assert!(recipients(&h, &agents).is_empty(), "bo took the ticket");
        let h = Happening { actor: Some("ann"), ..happening(&[Event::NewTicket], None) };
        assert_eq!(recipients(&h, &agents), vec![("bo".to_string(), Event::NewTicket)], "ann logged it");
    }

    #[test]
    fn each_alert_is_asked_for_apart() {
        let none: Vec<String> = Vec::new();
        let only_replies = MailAlerts { customer_replied: true, ..off() };
        let agents = [agent("bo", &none, only_replies)];
        assert!(recipients(&happening(&[Event::Assigned], Some("bo")), &agents).is_empty());
        assert!(recipients(&happening(&[Event::NewTicket], Some("bo")), &agents).is_empty());
        assert_eq!(recipients(&happening(&[Event::CustomerReplied], Some("bo")), &agents).len(), 1);
        let off = [agent("bo", &none, off())];
        for e in Event::ALL {
            assert!(recipients(&happening(&[e], Some("bo")), &off).is_empty(), "{e:?} while all are off");
        }
    }

    #[test]
    fn a_new_ticket_given_to_an_agent_mails_them_once_about_the_assignment() {
        let none: Vec<String> = Vec::new();
        let agents = [agent("ann", &none, all_on()), agent("bo", &none, all_on())];
        let h = happening(&[Event::NewTicket, Event::Assigned], Some("bo"));
        assert_eq!(
            recipients(&h, &agents),
            vec![("ann".to_string(), Event::NewTicket), ("bo".to_string(), Event::Assigned)]
        );
        // Without the assignment alert, the assignee still hears of the
        // new ticket.
        let new_only = MailAlerts { new_ticket: true, ..off() };
        let agents = [agent("bo", &none, new_only)];
        assert_eq!(recipients(&h, &agents), vec![("bo".to_string(), Event::NewTicket)]);
    }

    #[test]
    fn new_tickets_go_to_their_team_and_not_to_the_away_inactive_or_spam() {
        let billing = vec!["billing".to_string()];
        let tech = vec!["tech".to_string()];
        let mut away = agent("cy", &billing, all_on());
        away.away = true;
        let mut gone = agent("di", &billing, all_on());
        gone.active = false;
        let agents = [agent("ann", &billing, all_on()), agent("bo", &tech, all_on()), away, gone];
        let h = Happening { team: Some("billing"), ..happening(&[Event::NewTicket], None) };
        assert_eq!(recipients(&h, &agents), vec![("ann".to_string(), Event::NewTicket)]);
        let anyone = happening(&[Event::NewTicket], None);
        assert_eq!(recipients(&anyone, &agents).len(), 2, "no team: every agent who is in");
        let spam = Happening { spam: true, ..anyone };
        assert!(recipients(&spam, &agents).is_empty());
        // An away agent still hears of their own tickets.
        let mut away = agent("cy", &billing, all_on());
        away.away = true;
        assert_eq!(recipients(&happening(&[Event::CustomerReplied], Some("cy")), &[away]).len(), 1);
    }

    #[test]
    fn a_missed_sla_alerts_the_assignee_or_the_team_while_no_one_has_it() {
        let billing = vec!["billing".to_string()];
        let tech = vec!["tech".to_string()];
        let agents = [agent("ann", &billing, all_on()), agent("bo", &tech, all_on())];
        let mine = Happening { team: Some("billing"), ..happening(&[Event::SlaMissed], Some("bo")) };
        assert_eq!(
            recipients(&mine, &agents),
            vec![("bo".to_string(), Event::SlaMissed)],
            "the assignee, whatever the team"
        );
        let nobodys = Happening { team: Some("billing"), ..happening(&[Event::SlaMissed], None) };
        assert_eq!(recipients(&nobodys, &agents), vec![("ann".to_string(), Event::SlaMissed)]);
        let only_sla = MailAlerts { sla_missed: true, ..off() };
        let agents = [agent("bo", &tech, only_sla)];
        assert!(recipients(&happening(&[Event::Assigned], Some("bo")), &agents).is_empty());
        assert_eq!(recipients(&happening(&[Event::SlaMissed], Some("bo")), &agents).len(), 1);
    }

    #[test]
    fn a_note_alerts_the_teammates_it_mentions_but_not_its_writer() {
        let none: Vec<String> = Vec::new();
        let mut away = agent("cy", &none, MailAlerts::default());
        away.away = true;
        let agents = [agent("ann", &none, MailAlerts::default()), agent("bo", &none, off()), away];
        let h = Happening {
            actor: Some("ann"),
            mentioned: &["ann", "bo", "cy"],
            ..happening(&[Event::Mentioned], Some("bo"))
        };
        assert_eq!(recipients(&h, &agents), vec![("cy".to_string(), Event::Mentioned)], "on by default, even away");
        assert_eq!(MailAlerts::default(), serde_json::from_str::<MailAlerts>("{}").expect("it reads"));
        assert!(MailAlerts::default().mentioned && !MailAlerts::default().assigned);
    }

    #[test]
    fn followers_hear_of_replies_and_missed_slas_but_not_assignments() {
        let none: Vec<String> = Vec::new();
        let agents = [agent("ann", &none, all_on()), agent("bo", &none, all_on()), agent("cy", &none, all_on())];
        let followed = |e| Happening { followers: &["cy"], ..happening(e, Some("bo")) };
        let who = |h: &Happening<'_>| recipients(h, &agents).into_iter().map(|(id, _)| id).collect::<Vec<_>>();
        assert_eq!(who(&followed(&[Event::CustomerReplied])), ["bo", "cy"]);
        assert_eq!(who(&followed(&[Event::SlaMissed])), ["bo", "cy"]);
        assert_eq!(who(&followed(&[Event::Assigned])), ["bo"]);
        let by_cy = Happening { actor: Some("cy"), ..followed(&[Event::SlaMissed]) };
        assert_eq!(who(&by_cy), ["bo"]);
    }

    #[test]
    fn event_names_round_trip() {
        for e in Event::ALL {
            assert_eq!(Event::parse(e.as_str()), Some(e));
        }
        assert_eq!(Event::parse("everything"), None);
    }

    #[test]
    fn a_long_message_is_cut_at_a_word_with_an_ellipsis() {
        assert_eq!(excerpt("  short  ", 10), "short");
        assert_eq!(excerpt("one two three four", 10), "one two…");
        assert_eq!(excerpt("一二三四五六七八九十", 4), "一二三四…");
        let long = "word ".repeat(500);
        assert!(excerpt(&long, EXCERPT_CHARS).chars().count() <= EXCERPT_CHARS + 1);
    }

    fn alert<'a>(event: Event, text: &'a str) -> Alert<'a> {
        Alert {
            event,
            from: "help@shop.example",
            from_name: "Shop",
            to: "bo@shop.example",
            to_name: "Bo Chen",
            subject: "Where is my order?",
            tag: "[#0123456789]",
            who: "Ann Lee",
            text,
            link: Some("https://shop.example/dashboard/#/ticket/0123"),
            message_id: "deflect-alert.0123.ff@shop.example",
            sent_at: 1_795_689_367_000,
        }
    }

    #[test]
    fn the_mail_reads_back_as_a_machine_notice_that_names_no_ticket_thread() {
        let raw = compose(&alert(Event::CustomerReplied, "It has not come.\nOrder 42, 订单"));
        let mail = inbound::parse(raw.as_bytes(), "help@shop.example").expect("it parses");
        assert!(mail.automatic.is_some(), "marked as sent by a machine, so it is never filed as a ticket");
        let parsed = mail_parser::MessageParser::default().parse(raw.as_bytes()).expect("it parses");
        assert_eq!(parsed.subject(), Some("New reply: Where is my order? [#0123456789]"));
        assert_eq!(parsed.message_id(), Some("deflect-alert.0123.ff@shop.example"));
        let body = parsed.body_text(0).expect("a text part");
        assert!(body.contains("Ann Lee wrote again on [#0123456789]:"), "{body}");
        assert!(
            body.contains("> It has not come.\r\n> Order 42, 订单")
                || body.contains("> It has not come.\n> Order 42, 订单"),
            "{body}"
        );
        assert!(body.contains("Open the ticket: https://shop.example/dashboard/#/ticket/0123"), "{body}");
        assert!(body.contains("does not reach the customer"), "{body}");
        assert!(body.contains("when the customer of a ticket of yours (or one you follow) writes again"), "{body}");
    }

    #[test]
    fn a_digest_lists_each_alert_with_its_link_and_counts_them_in_its_subject() {
        let item = |event, subject, tag| DigestItem {
            event,
            subject,
            tag,
            link: Some("https://x.example/dashboard/#/ticket/1"),
        };
        let items = [
            item(Event::Assigned, "Broken lamp", "[#1]"),
            item(Event::NewTicket, "Late parcel", "[#2]"),
            item(Event::Assigned, "退款", "[#3]"),
        ];
        assert_eq!(digest_subject(&items), "3 alerts: Assigned to you 2, New ticket 1");
        let text = digest_text(&items);
        assert!(text.starts_with("3 alerts came at once"), "{text}");
        assert!(
            text.contains("- Assigned to you: Broken lamp [#1]\n  https://x.example/dashboard/#/ticket/1\n"),
            "{text}"
        );
        assert!(text.contains("- Assigned to you: 退款 [#3]"), "{text}");
        let envelope = Envelope {
            from: "help@shop.example",
            from_name: "Shop",
            to: "bo@shop.example",
            to_name: "Bo",
            message_id: "deflect-alert.1.2@shop.example",
            sent_at: 0,
        };
        let raw = compose_digest(&envelope, &items);
        let mail = inbound::parse(raw.as_bytes(), "help@shop.example").expect("it parses");
        assert!(mail.automatic.is_some());
        assert_eq!(mail.subject, "3 alerts: Assigned to you 2, New ticket 1");
    }

    #[test]
    fn a_header_cannot_be_broken_by_the_subject() {
        let mut a = alert(Event::NewTicket, "hi");
        a.subject = "Hi\r\nBcc: everyone@example.com";
        let raw = compose(&a);
        let head = raw.split("\r\n\r\n").next().unwrap_or_default();
        assert!(!head.lines().any(|l| l.starts_with("Bcc:")), "{head}");
    }
}

//! `cargo xtask run`: builds everything, starts the local edge on workerd
//! with local D1, KV and R2, seeds the demo KB and prints the URLs.

use crate::{build, setup};
use anyhow::{Result, anyhow};
use deflect_tests::{ADMIN_EMAIL, LocalEdge, dev_vars, seed, sent_mail};
use std::path::Path;
use std::time::Duration;

/// The address the local desk sends from when a site has no reply address
/// of its own (`DEFLECT_SUPPORT_EMAIL`), so password resets, invitations
/// and alerts work in the demo. Nothing is delivered locally: wrangler
/// writes each message to a file, which this command shows.
const DEMO_SENDER: &str = "support@deflect.local";

pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut port: u16 = 8787;
    let mut build = true;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--port" => {
                port = it.next().and_then(|p| p.parse().ok()).ok_or_else(|| anyhow!("--port needs a number"))?
            }
            "--no-build" => build = false,
            other => return Err(anyhow!("unknown option {other}; usage: cargo xtask run [--port N] [--no-build]")),
        }
    }
    setup::setup(false)?;
    if build {
        build::all()?;
    }
    let persist = crate::cmd::root().join(".deflect/state");
    let edge =
        LocalEdge::start_with(port, &persist, &[("DEFLECT_SUPPORT_EMAIL", DEMO_SENDER)]).map_err(|e| anyhow!(e))?;
    // The demo is seeded once: later runs keep what the owner changed since
    // (articles, settings, the admin's password).
    let seeded = persist.join("seeded");
    let kept = seeded.exists();
    if !kept {
        seed(&edge.url, &[]).map_err(|e| anyhow!(e))?;
        std::fs::write(&seeded, "the demo site and KB were seeded into this state\n")?;
    }
    let password = dev_vars()?;
    let u = &edge.url;
    eprintln!(
        "\nDeflect is running on Cloudflare's runtime (workerd) with local D1, KV and R2 in .deflect/state.\n\n\
         \x20 Demo site with the widget  {u}/demo/\n\
         \x20 Help centre                {u}/help/demo\n\
         \x20 Dashboard                  {u}/dashboard/\n\
         \x20   log in as {ADMIN_EMAIL} / {password} (from edge/.dev.vars{})\n\
         \x20 API description            {u}/openapi.json\n\n\
         Mail the desk sends (password resets, invitations, alerts, replies) is not delivered: each message is\n\
         written to a file, and shown here with its links as it goes.\n\n\
         {}\
         Press Ctrl-C to stop. Logs: {}\n",
        // The bootstrap password opens the account only until the admin
        // changes it in the dashboard.
        if kept { ", unless you changed it since" } else { "" },
        if kept {
            "The data of earlier runs is kept (the demo was seeded once); delete .deflect/state to start over.\n\n"
        } else {
            ""
        },
        edge.log.display()
    );
    // Stay in the foreground until Ctrl-C or SIGTERM. wrangler runs in a
    // session of its own (so it can be stopped with its workerd children),
    // which the terminal's Ctrl-C does not reach: stop it here.
    let (stop, stopped) = std::sync::mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = stop.send(());
    })?;
    let log = edge.log.clone();
    std::thread::spawn(move || show_mail(&log));
    let _ = stopped.recv();
    eprintln!("stopping the local edge");
    drop(edge);
    Ok(())
}

/// Shows each message the local edge sends from now on (who it is to, its
/// subject, its links and its file), reading the paths wrangler logs as
/// the log grows (whole lines only, so no path is read half-written).
fn show_mail(log: &Path) {
    use std::io::{Read, Seek, SeekFrom};
    let mut read_to = std::fs::metadata(log).map_or(0, |m| m.len());
    loop {
        std::thread::sleep(Duration::from_secs(1));
        let mut added = Vec::new();
        let Ok(mut file) = std::fs::File::open(log) else { continue };
        if file.seek(SeekFrom::Start(read_to)).is_err() || file.read_to_end(&mut added).is_err() {
            continue;
        }
        let Some(end) = added.iter().rposition(|b| *b == b'\n') else { continue };
        read_to += end as u64 + 1;
        for path in sent_mail::paths_in_log(&String::from_utf8_lossy(&added[..end])) {
            match std::fs::read(&path).ok().and_then(|raw| sent_mail::summary(&raw)) {
                Some(mail) => {
                    let links: String = mail.links.iter().map(|l| format!("\n    {l}")).collect();
                    eprintln!(
                        "mail to {}: \"{}\"{links}\n    (the whole message: {})",
                        mail.to.join(", "),
                        mail.subject,
                        path.display()
                    );
                }
                None => eprintln!("mail sent: {}", path.display()),
            }
        }
    }
}

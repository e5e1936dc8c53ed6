//! `cargo xtask run`: builds everything, starts the local edge on workerd
//! with local D1, KV and R2, seeds the demo KB and prints the URLs.

use crate::{build, setup};
use anyhow::{Result, anyhow};
use deflect_tests::{ADMIN_EMAIL, LocalEdge, dev_vars, seed};

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
    let edge = LocalEdge::start(port, &persist).map_err(|e| anyhow!(e))?;
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
    let _ = stopped.recv();
    eprintln!("stopping the local edge");
    drop(edge);
    Ok(())
}

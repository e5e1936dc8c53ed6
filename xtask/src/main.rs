//! Project automation: `cargo xtask <command>`. See README.md.

mod bench;
mod build;
mod cmd;
mod contract;
mod deploy;
mod eval;
mod load;
mod run;
mod setup;
mod short_names;
mod test;
mod unused_exports;
mod wasm_module;

const USAGE: &str = "usage: cargo xtask <command>

  setup            install the wasm target, worker-build, wasm-bindgen-cli,
                   npm packages (wrangler, binaryen, esbuild) and Chromium
  build [part]     build the widget, dashboard and edge (or one of them)
  run [--port N] [--no-build]
                   build, start the local edge, seed the demo, print URLs
  test [--no-build]
                   formatting, clippy, unit tests, then HTTP and browser
                   tests against a fresh local edge
  eval [--misses | --scores DIR] [dataset]
                   matching quality on ../shared/eval; --misses lists the
                   questions whose right article was not ranked first;
                   --scores writes every article's score per question
  bench [quality|matcher|widget|edge]
                   benchmarks, written into BENCHMARKS.md
  load [--requests N] [--clients N]
                   ticket creations against a fresh local edge, then
                   a check that each is in D1 exactly once
  deploy [--dry-run]
                   build, apply migrations to the remote D1 and run
                   wrangler deploy (needs a Cloudflare login); --dry-run
                   bundles without uploading and checks Cloudflare's
                   size limits";

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        let mut out = std::io::stdout().lock();
        std::io::Write::write_all(&mut out, format!("{USAGE}\n").as_bytes())?;
        return Ok(());
    }
    match args.first().map(String::as_str) {
        Some("setup") => setup::setup(true),
        Some("build") => build::parts(rest),
        Some("run") => run::run(rest),
        Some("test") => test::test(rest),
        Some("eval") => eval::run(rest),
        Some("bench") => bench::run_bench(rest),
        Some("load") => load::run(rest),
        Some("deploy") => deploy::deploy(rest),
        _ => {
            eprintln!("{USAGE}");
            std::process::exit(2);
        }
    }
}

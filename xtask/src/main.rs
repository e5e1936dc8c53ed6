//! Project automation: `cargo xtask <command>`.

mod eval;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("eval") => eval::run(&args[1..]),
        Some("oos") => eval::oos_experiment(&args[1]),
        _ => {
            eprintln!("usage: cargo xtask eval [dataset...]");
            std::process::exit(2);
        }
    }
}

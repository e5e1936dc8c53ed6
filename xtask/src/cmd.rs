//! Running commands and finding tools.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The repository root.
pub(crate) fn root() -> PathBuf {
    deflect_tests::root()
}

/// A binary from `node_modules/.bin`.
pub(crate) fn node_bin(name: &str) -> PathBuf {
    deflect_tests::node_bin(name)
}

/// A binary installed by `cargo install`.
pub(crate) fn cargo_bin(name: &str) -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cargo"));
    home.join("bin").join(name)
}

/// Prints and runs a command in `dir`, failing when it fails.
pub(crate) fn run(dir: &Path, program: impl AsRef<std::ffi::OsStr>, args: &[&str], env: &[(&str, &str)]) -> Result<()> {
    let program = program.as_ref();
    eprintln!("$ {} {}", program.to_string_lossy(), args.join(" "));
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .status()
        .with_context(|| format!("running {}", program.to_string_lossy()))?;
    if !status.success() {
        bail!("{} {} failed ({status})", program.to_string_lossy(), args.join(" "));
    }
    Ok(())
}

/// Prints and runs a command in `dir` and returns its standard output,
/// failing when it fails.
pub(crate) fn run_for_output(dir: &Path, program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Result<String> {
    let program = program.as_ref();
    eprintln!("$ {} {}", program.to_string_lossy(), args.join(" "));
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .with_context(|| format!("running {}", program.to_string_lossy()))?;
    if !out.status.success() {
        bail!("{} {} failed ({})", program.to_string_lossy(), args.join(" "), out.status);
    }
    String::from_utf8(out.stdout).context("output that is not UTF-8")
}

/// Runs a command and returns its standard output, or `None` when it cannot
/// run or fails.
pub(crate) fn output(program: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).stdin(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The version of a crate in Cargo.lock.
pub(crate) fn locked_version(name: &str) -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == format!("name = \"{name}\"")
            && let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \""))
        {
            return Ok(v.trim_end_matches('"').to_string());
        }
    }
    bail!("{name} is not in Cargo.lock")
}

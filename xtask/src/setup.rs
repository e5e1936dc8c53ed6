//! `cargo xtask setup`: installs everything the build and the tests need.
//! Every step checks first, so running it again does nothing.

use crate::cmd::{cargo_bin, locked_version, node_bin, output, root, run};
use anyhow::{Result, bail};

/// The worker-build release the edge is built with.
const WORKER_BUILD: &str = "0.8.7";

/// Installs tools; `browser` adds Chromium for the browser tests.
pub(crate) fn setup(browser: bool) -> Result<()> {
    let root = root();
    if !output("rustup", &["target", "list", "--installed"]).is_some_and(|t| t.contains("wasm32-unknown-unknown")) {
        run(&root, "rustup", &["target", "add", "wasm32-unknown-unknown"], &[])?;
    }
    // The widget rebuilds the standard library for its size (see build.rs).
    if !output("rustup", &["component", "list", "--installed"]).is_some_and(|t| t.contains("rust-src")) {
        run(&root, "rustup", &["component", "add", "rust-src"], &[])?;
    }

    let wb = cargo_bin("worker-build");
    if !output(&wb, &["--version"]).is_some_and(|v| v.contains(WORKER_BUILD)) {
        run(&root, "cargo", &["install", "--quiet", "worker-build", "--version", WORKER_BUILD, "--locked"], &[])?;
    }

    // wasm-bindgen's CLI must match the library version in Cargo.lock
    // exactly. Its own lockfile names a crate version the registry lacks,
    // so it is installed without --locked.
    let bindgen = locked_version("wasm-bindgen")?;
    if !output(cargo_bin("wasm-bindgen"), &["--version"]).is_some_and(|v| v.trim().ends_with(&bindgen)) {
        run(&root, "cargo", &["install", "--quiet", "wasm-bindgen-cli", "--version", &bindgen], &[])?;
    }

    // npm ci when node_modules is missing or older than the lockfile.
    let lock = root.join("package-lock.json");
    let installed = root.join("node_modules/.package-lock.json");
    let stale = match (
        std::fs::metadata(&lock).and_then(|m| m.modified()),
        std::fs::metadata(&installed).and_then(|m| m.modified()),
    ) {
        (Ok(l), Ok(i)) => l > i || !node_bin("wrangler").exists(),
        _ => true,
    };
    if stale {
        run(&root, "npm", &["ci", "--no-audit", "--no-fund"], &[])?;
    }

    if browser {
        // Each package with a file that shows it is installed. The font lets
        // Chromium draw Chinese (in the tests' screenshots and layout).
        let packages = [
            ("chromium", "/usr/bin/chromium"),
            ("chromium-driver", "/usr/bin/chromedriver"),
            ("brotli", "/usr/bin/brotli"),
            ("fonts-wqy-microhei", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
        ];
        let missing: Vec<&str> =
            packages.iter().filter(|(_, file)| !std::path::Path::new(file).exists()).map(|(p, _)| *p).collect();
        if !missing.is_empty() {
            apt_install(&root, &missing)?;
        }
        if !std::path::Path::new("/usr/bin/chromium").exists() {
            bail!("chromium did not install");
        }
    }
    Ok(())
}

/// The pinned tools of the API contract test (schemathesis, from PyPI) in
/// their own virtual environment under `target/`; returns the path of the
/// `schemathesis` program. Reinstalls when `tests/contract/requirements.txt`
/// differs from the copy kept beside the environment it was installed from
/// (contents, not times: a fresh checkout over a cached `target/` is fresh).
pub(crate) fn contract_tools() -> Result<std::path::PathBuf> {
    let root = root();
    let requirements = root.join("tests/contract/requirements.txt");
    let venv = root.join("target/contract-venv");
    let program = venv.join("bin/schemathesis");
    let stamp = venv.join("installed.txt");
    let wanted = std::fs::read(&requirements)?;
    let fresh = program.exists() && std::fs::read(&stamp).is_ok_and(|installed| installed == wanted);
    if !fresh {
        let _ = std::fs::remove_dir_all(&venv);
        let make_venv = || run(&root, "python3", &["-m", "venv", &venv.to_string_lossy()], &[]);
        if make_venv().is_err() {
            // Debian's own python3 keeps venv in a separate package.
            let _ = std::fs::remove_dir_all(&venv);
            apt_install(&root, &["python3-venv"])?;
            make_venv()?;
        }
        let pip = venv.join("bin/pip");
        run(
            &root,
            &pip,
            &["install", "--quiet", "--disable-pip-version-check", "-r", &requirements.to_string_lossy()],
            &[],
        )?;
        std::fs::write(&stamp, &wanted)?;
    }
    Ok(program)
}

/// Installs Debian packages (through sudo when not root).
fn apt_install(root: &std::path::Path, packages: &[&str]) -> Result<()> {
    let as_root = output("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    let (program, prefix): (&str, &[&str]) = if as_root { ("apt-get", &[]) } else { ("sudo", &["-n", "apt-get"]) };
    let env = [("DEBIAN_FRONTEND", "noninteractive")];
    let mut update: Vec<&str> = prefix.to_vec();
    update.extend(["update", "-qq"]);
    run(root, program, &update, &env)?;
    let mut install: Vec<&str> = prefix.to_vec();
    install.extend(["install", "-y", "-qq", "--no-install-recommends"]);
    install.extend(packages);
    run(root, program, &install, &env)
}

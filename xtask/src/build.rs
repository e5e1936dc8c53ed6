//! `cargo xtask build`: the widget and dashboard wasm (wasm-bindgen,
//! wasm-opt from npm binaryen, the loader bundled by esbuild) and the edge
//! worker (worker-build with local tools, so nothing is downloaded).

use crate::cmd::{cargo_bin, node_bin, root, run, run_for_output};
use crate::short_names::{self, Renamed};
use crate::unused_exports::{self, STREAM_ADAPTERS};
use crate::wasm_module;
use anyhow::{Context, Result};
use std::path::Path;

/// A short content hash for cache-busting file names (FNV-1a, 64 bits).
fn content_hash(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")[..10].to_string()
}

/// Builds one leptos crate into `out_dir`: wasm-bindgen for the web, the
/// classes it never uses taken out of the glue and the wasm
/// ([`unused_exports`]), then wasm-opt -Oz, then short import and export
/// names ([`short_names`]). Returns the glue JS path and the wasm file
/// name.
///
/// The standard library is rebuilt from source with
/// `panic = immediate-abort`, which drops the panic-message and formatting
/// machinery (about 15 KB brotli of the widget), and with std's
/// `optimize_for_size` feature, which picks its smaller algorithms
/// (sorting, formatting; 3.7 KB brotli of the widget, 24 KB of the
/// dashboard). `-Zlocation-detail=none` leaves out the source paths and
/// lines panics would name, which immediate-abort never prints (1.4 KB
/// brotli of the widget). These are unstable flags, enabled on the pinned
/// stable toolchain with `RUSTC_BOOTSTRAP`, in a target folder of their
/// own.
fn wasm_app(krate: &str, lib: &str, out_dir: &Path) -> Result<(std::path::PathBuf, String)> {
    let root = root();
    let target_dir = "target/size";
    let args = [
        "build",
        "--release",
        "--target",
        "wasm32-unknown-unknown",
        "-p",
        krate,
        "-Zbuild-std=std,panic_abort",
        "-Zbuild-std-features=optimize_for_size",
        "--target-dir",
        target_dir,
    ];
    let env =
        [("RUSTC_BOOTSTRAP", "1"), ("RUSTFLAGS", "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none")];
    run(&root, "cargo", &args, &env)?;
    let input = format!("{target_dir}/wasm32-unknown-unknown/release/{lib}.wasm");
    let staging = root.join("target/wasm-bindgen").join(krate);
    let _ = std::fs::remove_dir_all(&staging);
    run(
        &root,
        cargo_bin("wasm-bindgen"),
        &["--target", "web", "--no-typescript", "--out-dir", &staging.to_string_lossy(), &input],
        &[],
    )?;
    let glue = staging.join(format!("{lib}.js"));
    let text = std::fs::read_to_string(&glue).context("reading the glue")?;
    std::fs::write(&glue, unused_exports::drop_from_glue(&text, &STREAM_ADAPTERS)?)?;
    let bound = staging.join(format!("{lib}_bg.wasm"));
    let exports = wasm_module::export_names(&std::fs::read(&bound)?)?;
    let graph = staging.join("metadce.json");
    std::fs::write(&graph, serde_json::to_vec(&unused_exports::metadce_graph(&exports, &STREAM_ADAPTERS))?)?;
    let raw = staging.join(format!("{lib}.dce.wasm"));
    run(
        &root,
        node_bin("wasm-metadce"),
        &["--graph-file", &graph.to_string_lossy(), &bound.to_string_lossy(), "-o", &raw.to_string_lossy()],
        &[],
    )?;
    let opt = staging.join(format!("{lib}.opt.wasm"));
    // `--low-memory-unused`: nothing lives in the first KiB of memory. Rust's
    // wasm32 link puts the 1 MiB stack first, growing down towards 0, and its
    // data after it, so only a stack already overflowing would reach there;
    // knowing it lets wasm-opt fold constant offsets into loads and stores
    // (about 1 KB off the widget's brotli size).
    run(
        &root,
        node_bin("wasm-opt"),
        &["-Oz", "--converge", "--low-memory-unused", &raw.to_string_lossy(), "-o", &opt.to_string_lossy()],
        &[],
    )?;
    // Short import and export names, in the wasm and then in the glue.
    let short = staging.join(format!("{lib}.short.wasm"));
    let printed = run_for_output(
        &root,
        node_bin("wasm-opt"),
        &["--minify-imports-and-exports-and-modules", &opt.to_string_lossy(), "-o", &short.to_string_lossy()],
    )?;
    let bytes = std::fs::read(&short)?;
    let module = match wasm_module::import_modules(&bytes)?.as_slice() {
        [one] => one.clone(),
        other => anyhow::bail!("the renamed wasm imports from {} modules, not one", other.len()),
    };
    let text = std::fs::read_to_string(&glue)?;
    std::fs::write(&glue, short_names::rewrite_glue(&text, &Renamed::parse(&printed)?, &module)?)?;
    let name = format!("{lib}-{}.wasm", content_hash(&bytes));
    let _ = std::fs::remove_dir_all(out_dir);
    std::fs::create_dir_all(out_dir)?;
    std::fs::write(out_dir.join(&name), &bytes)?;
    Ok((glue, name))
}

/// Builds the widget: `www/widget.js` (loader and glue, one file) and
/// `www/widget/deflect_widget-<hash>.wasm`.
pub(crate) fn widget() -> Result<()> {
    let root = root();
    let (glue, wasm) = wasm_app("deflect-widget", "deflect_widget", &root.join("www/widget"))?;
    std::fs::copy(&glue, root.join("target/wasm-bindgen/deflect-widget/glue.js")).context("copying the glue")?;
    // The style sheet, minified beside the glue, for the loader to take as
    // text (about 90 bytes of brotli off the widget).
    run(
        &root,
        node_bin("esbuild"),
        &[
            "widget/loader/widget.css",
            "--minify",
            "--target=chrome100,firefox100,safari15",
            "--outfile=target/wasm-bindgen/deflect-widget/widget.min.css",
        ],
        &[],
    )?;
    run(
        &root,
        node_bin("esbuild"),
        &[
            "widget/loader/loader.js",
            "--bundle",
            "--format=iife",
            "--minify",
            "--target=es2020",
            "--loader:.css=text",
            // The glue's default wasm path uses import.meta.url; the loader
            // always passes the path, so the empty value is never read.
            "--log-override:empty-import-meta=silent",
            "--outfile=www/widget.js",
            &format!("--define:__DEFLECT_WASM__=\"{wasm}\""),
        ],
        &[],
    )
}

/// Builds the dashboard into `www/dashboard/pkg`.
pub(crate) fn dashboard() -> Result<()> {
    let root = root();
    let out = root.join("www/dashboard/pkg");
    let (glue, wasm) = wasm_app("deflect-dashboard", "deflect_dashboard", &out)?;
    std::fs::copy(&glue, out.join("deflect_dashboard.js"))?;
    std::fs::write(
        out.join("boot.js"),
        format!(
            "import init from './deflect_dashboard.js';\ninit({{ module_or_path: new URL('./{wasm}', import.meta.url) }});\n"
        ),
    )?;
    Ok(())
}

/// Builds the edge worker into `edge/build`, at `opt-level = 3`: its size
/// matters little, and publishing a KB (building the index) runs about
/// three times faster than at the workspace's size-first "z".
pub(crate) fn edge() -> Result<()> {
    let root = root();
    let bindgen = cargo_bin("wasm-bindgen");
    let opt = node_bin("wasm-opt");
    let esbuild = node_bin("esbuild");
    run(
        &root.join("edge"),
        cargo_bin("worker-build"),
        &["--release"],
        &[
            ("WASM_BINDGEN_BIN", &bindgen.to_string_lossy()),
            ("WASM_OPT_BIN", &opt.to_string_lossy()),
            ("ESBUILD_BIN", &esbuild.to_string_lossy()),
            ("CARGO_PROFILE_RELEASE_OPT_LEVEL", "3"),
        ],
    )
}

/// Everything.
pub(crate) fn all() -> Result<()> {
    widget()?;
    dashboard()?;
    edge()
}

/// `cargo xtask build [widget|dashboard|edge]...`: the named parts, or all.
pub(crate) fn parts(parts: &[String]) -> Result<()> {
    if parts.is_empty() {
        return all();
    }
    for part in parts {
        match part.as_str() {
            "widget" => widget()?,
            "dashboard" => dashboard()?,
            "edge" => edge()?,
            other => anyhow::bail!("unknown part {other}; use widget, dashboard or edge"),
        }
    }
    Ok(())
}

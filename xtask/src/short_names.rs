//! Short names for what the wasm imports from its glue and exports to it.
//!
//! wasm-bindgen names each import after its function and a 16-hex-digit
//! hash (`__wbg_warn_228ff2257384d295`) and each closure shim after its
//! whole Rust type path, some over 300 characters; both are written in
//! the wasm and again in the glue, and hashes do not compress. binaryen's
//! `--minify-imports-and-exports-and-modules` renames them (`$`, `Ab`) and
//! prints what it renamed; [`rewrite_glue`] makes the glue use the new
//! names (about 1.6 KB brotli off the widget's wasm, measured when this
//! step came in).

use anyhow::{Context, Result, bail};
use serde::Deserialize;

/// What binaryen renamed, as it prints it.
#[derive(Debug, Deserialize)]
pub(crate) struct Renamed {
    /// `[module, name, new name]`: the module is renamed too.
    imports: Vec<(String, String, String)>,
    /// `[name, new name]`.
    exports: Vec<(String, String)>,
}

impl Renamed {
    pub(crate) fn parse(printed: &str) -> Result<Renamed> {
        serde_json::from_str(printed.trim()).context("reading the names wasm-opt printed")
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

/// `text` with every `prefix` + `old` that is a whole name (not the start
/// of a longer one) written `prefix` + `new`; and how many there were.
fn replace_names(text: &str, prefix: &str, old: &str, new: &str) -> (String, usize) {
    let needle = format!("{prefix}{old}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut count = 0;
    while let Some(at) = rest.find(&needle) {
        let after = &rest[at + needle.len()..];
        out.push_str(&rest[..at]);
        if after.starts_with(is_name_char) {
            out.push_str(&needle);
        } else {
            out.push_str(prefix);
            out.push_str(new);
            count += 1;
        }
        rest = after;
    }
    out.push_str(rest);
    (out, count)
}

/// The glue with the new names: each import's key in the imports object
/// (`old: function(`), the module's key (binaryen puts every import in one
/// module, `module`, read from the renamed wasm), and each `wasm.old`
/// export use. Fails when an import or module is not found exactly once,
/// so a wasm-bindgen that writes its glue another way is noticed at build
/// time, not in a browser.
pub(crate) fn rewrite_glue(glue: &str, renamed: &Renamed, module: &str) -> Result<String> {
    let mut out = glue.to_string();
    let mut modules: Vec<&str> = Vec::new();
    for (from, old, new) in &renamed.imports {
        let key = format!("{old}: function(");
        let defined: Vec<usize> =
            out.match_indices(&key).map(|(at, _)| at).filter(|&at| !out[..at].ends_with(is_name_char)).collect();
        let [at] = defined[..] else {
            bail!("the glue defines the import {old} {} times, not once", defined.len());
        };
        out.replace_range(at..at + old.len(), new);
        if !modules.contains(&from.as_str()) {
            modules.push(from);
        }
    }
    for from in modules {
        let key = format!("\"{from}\": ");
        if out.matches(&key).count() != 1 {
            bail!("the glue does not name the module {from} once");
        }
        out = out.replace(&key, &format!("\"{module}\": "));
    }
    for (old, new) in &renamed.exports {
        out = replace_names(&out, "wasm.", old, new).0;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = "function __wbg_get_imports() {
    const import0 = {
        __proto__: null,
        __wbg_warn_228ff2257384d295: function(arg0) {
            console.warn(arg0);
        },
        __wbg_warn_228ff2257384d295x: function(arg0) {
            return wasm.invoke_true_1_(arg0);
        },
    };
    return {
        __proto__: null,
        \"./app_bg.js\": import0,
    };
}
function f() { wasm.invoke_true_(1); wasm.invoke_true_1_(2); wasm.memory.buffer; }
";

    fn renamed() -> Renamed {
        Renamed::parse(
            r#"{ "imports": [["./app_bg.js", "__wbg_warn_228ff2257384d295", "$"],
                             ["./app_bg.js", "__wbg_warn_228ff2257384d295x", "B"]],
                 "exports": [["invoke_true_", "c"], ["invoke_true_1_", "d"], ["memory", "e"], ["unused", "f"]] }"#,
        )
        .unwrap()
    }

    #[test]
    fn every_import_export_and_module_gets_its_new_name() {
        let out = rewrite_glue(GLUE, &renamed(), "a").unwrap();
        assert!(out.contains("        $: function(arg0) {\n            console.warn"), "{out}");
        assert!(out.contains("        B: function(arg0) {\n            return wasm.d(arg0);"), "{out}");
        assert!(out.contains("\"a\": import0"), "{out}");
        assert!(out.contains("function f() { wasm.c(1); wasm.d(2); wasm.e.buffer; }"), "{out}");
        assert!(!out.contains("__wbg_warn") && !out.contains("invoke_true") && !out.contains("app_bg"), "{out}");
    }

    #[test]
    fn a_name_that_only_starts_another_is_left_alone() {
        assert_eq!(replace_names("wasm.ab wasm.a(", "wasm.", "a", "z"), ("wasm.ab wasm.z(".to_string(), 1));
    }

    #[test]
    fn an_import_the_glue_lacks_fails_the_build() {
        let r =
            Renamed::parse(r#"{ "imports": [["./app_bg.js", "__wbg_gone_0123456789abcdef", "$"]], "exports": [] }"#)
                .unwrap();
        let e = rewrite_glue(GLUE, &r, "a").unwrap_err();
        assert!(e.to_string().contains("__wbg_gone_0123456789abcdef"), "{e}");
    }

    #[test]
    fn what_wasm_opt_prints_is_read() {
        assert!(Renamed::parse("not json").is_err());
        assert_eq!(renamed().imports.len(), 2);
    }
}

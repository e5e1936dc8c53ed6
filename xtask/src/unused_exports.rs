//! Classes wasm-bindgen exports from a program that never uses them, taken
//! out of its glue and its wasm.
//!
//! leptos brings in its server functions' streaming on every wasm build,
//! and with it wasm-streams' adapters between Rust and JS streams, which
//! wasm-bindgen exports as JS classes. The widget has no server functions,
//! so nothing makes or calls them; but an export is a root that no
//! optimiser may remove, so their code stayed in the wasm and their
//! classes in the glue (about 1.9 KB brotli of the widget, measured when
//! this step came in).

use anyhow::{Context, Result, bail};

/// wasm-streams' classes, which the widget never uses.
pub(crate) const STREAM_ADAPTERS: [&str; 3] =
    ["IntoUnderlyingByteSource", "IntoUnderlyingSink", "IntoUnderlyingSource"];

/// The glue without `classes`: each one's class, its `Symbol.dispose`
/// line and its finalization registry. Fails when one is missing, so a
/// new wasm-bindgen or leptos that changes them is noticed at build time.
pub(crate) fn drop_from_glue(glue: &str, classes: &[&str]) -> Result<String> {
    let mut out = glue.to_string();
    for class in classes {
        let start = out
            .find(&format!("export class {class} {{\n"))
            .with_context(|| format!("the glue has no class {class} to drop"))?;
        let end = out[start..].find("\n}\n").map(|i| start + i + 3).context("a class that does not end")?;
        out.replace_range(start..end, "");
        let dispose = format!("if (Symbol.dispose) {class}.prototype[Symbol.dispose] = {class}.prototype.free;\n");
        let finalization = format!("const {class}Finalization = ");
        let Some(at) = out.find(&finalization) else { bail!("the glue has no finalization registry for {class}") };
        let end = out[at..].find(";\n").map(|i| at + i + 2).context("a registry that does not end")?;
        out.replace_range(at..end, "");
        out = out.replacen(&dispose, "", 1);
        if out.contains(&format!("{class}.")) || out.contains(&format!("{class}(")) {
            bail!("the glue still uses {class} after dropping it");
        }
    }
    Ok(out)
}

/// Whether a wasm export belongs to one of `classes`: its methods
/// (`intounderlyingsink_write`) and its destructor
/// (`__wbg_intounderlyingsink_free`).
pub(crate) fn belongs_to(export: &str, classes: &[&str]) -> bool {
    classes.iter().any(|c| {
        let prefix = format!("{}_", c.to_lowercase());
        export.starts_with(&prefix) || export.strip_prefix("__wbg_").is_some_and(|e| e.starts_with(&prefix))
    })
}

/// The reachability graph for binaryen's wasm-metadce that keeps every
/// export but those of `classes`.
pub(crate) fn metadce_graph(exports: &[String], classes: &[&str]) -> serde_json::Value {
    let kept: Vec<String> = exports.iter().filter(|e| !belongs_to(e, classes)).map(|e| format!("export:{e}")).collect();
    let mut graph = vec![serde_json::json!({ "name": "glue", "root": true, "reaches": kept })];
    graph.extend(exports.iter().map(|e| serde_json::json!({ "name": format!("export:{e}"), "export": e })));
    serde_json::Value::Array(graph)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GLUE: &str = "let wasm;\nexport class Sink {\n    free() {\n        SinkFinalization.unregister(this);\n        wasm.__wbg_sink_free(1, 0);\n    }\n    write(c) {\n        return wasm.sink_write(c);\n    }\n}\n\
        if (Symbol.dispose) Sink.prototype[Symbol.dispose] = Sink.prototype.free;\n\
        export class Handle {\n    open() {}\n}\n\
        const SinkFinalization = (typeof FinalizationRegistry === 'undefined')\n    ? { register: () => {}, unregister: () => {} }\n    : new FinalizationRegistry(ptr => wasm.__wbg_sink_free(ptr, 1));\n\
        const HandleFinalization = 1;\n";

    #[test]
    fn a_class_leaves_the_glue_whole() {
        let out = drop_from_glue(GLUE, &["Sink"]).expect("drops");
        assert_eq!(out, "let wasm;\nexport class Handle {\n    open() {}\n}\nconst HandleFinalization = 1;\n");
        let e = drop_from_glue(GLUE, &["Source"]).unwrap_err().to_string();
        assert!(e.contains("no class Source"), "{e}");
    }

    #[test]
    fn only_the_classes_exports_are_dropped() {
        let classes = ["IntoUnderlyingSink"];
        assert!(belongs_to("intounderlyingsink_write", &classes));
        assert!(belongs_to("__wbg_intounderlyingsink_free", &classes));
        assert!(!belongs_to("mount", &classes) && !belongs_to("__wbg_widgethandle_free", &classes));
        let exports = ["mount".to_string(), "intounderlyingsink_write".to_string()];
        let graph = metadce_graph(&exports, &classes);
        assert_eq!(graph[0]["reaches"], serde_json::json!(["export:mount"]));
        assert_eq!(graph[2]["export"], "intounderlyingsink_write");
    }
}

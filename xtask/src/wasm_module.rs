//! Reading the names a wasm module's binary holds: its exports, and the
//! modules its imports come from. Only what the build steps check.

use anyhow::{Context, Result, bail};

/// A position in a module's bytes.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8> {
        let b = *self.bytes.get(self.at).context("the wasm ends early")?;
        self.at += 1;
        Ok(b)
    }

    /// An unsigned LEB128 number.
    fn leb(&mut self) -> Result<usize> {
        let mut v = 0usize;
        for shift in (0..35).step_by(7) {
            let b = self.byte()?;
            v |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        bail!("the wasm holds a number that is too long")
    }

    fn name(&mut self) -> Result<String> {
        let len = self.leb()?;
        let bytes = self.bytes.get(self.at..self.at + len).context("a name past the end of the wasm")?;
        self.at += len;
        String::from_utf8(bytes.to_vec()).context("a name that is not UTF-8")
    }
}

/// The contents of the section with `id`, if the module has one.
fn section(wasm: &[u8], id: u8) -> Result<Option<&[u8]>> {
    if wasm.get(..4) != Some(b"\0asm".as_slice()) {
        bail!("not a wasm module");
    }
    let mut r = Reader { bytes: wasm, at: 8 };
    while r.at < wasm.len() {
        let this = r.byte()?;
        let size = r.leb()?;
        let body = wasm.get(r.at..r.at + size).context("a section past the end of the wasm")?;
        if this == id {
            return Ok(Some(body));
        }
        r.at += size;
    }
    Ok(None)
}

/// The names of a module's exports.
pub(crate) fn export_names(wasm: &[u8]) -> Result<Vec<String>> {
    let Some(body) = section(wasm, 7)? else { return Ok(Vec::new()) };
    let mut r = Reader { bytes: body, at: 0 };
    let mut names = Vec::new();
    for _ in 0..r.leb()? {
        names.push(r.name()?);
        r.byte()?; // kind
        r.leb()?; // index
    }
    Ok(names)
}

/// The distinct modules a module's imports come from, in order. Only
/// function imports are expected (a wasm-bindgen program defines its own
/// memory and tables); another kind fails.
pub(crate) fn import_modules(wasm: &[u8]) -> Result<Vec<String>> {
    let Some(body) = section(wasm, 2)? else { return Ok(Vec::new()) };
    let mut r = Reader { bytes: body, at: 0 };
    let mut modules: Vec<String> = Vec::new();
    for _ in 0..r.leb()? {
        let module = r.name()?;
        let name = r.name()?;
        if r.byte()? != 0 {
            bail!("the wasm imports {module}.{name}, which is not a function");
        }
        r.leb()?; // type index
        if !modules.contains(&module) {
            modules.push(module);
        }
    }
    Ok(modules)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_names_are_read_from_the_module() {
        // (module (func) (export "mount" (func 0)) (export "free" (func 0)))
        let wasm = [
            0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // header
            1, 4, 1, 0x60, 0, 0, // type section
            3, 2, 1, 0, // function section
            7, 16, 2, 5, b'm', b'o', b'u', b'n', b't', 0, 0, 4, b'f', b'r', b'e', b'e', 0, 0, // exports
            10, 4, 1, 2, 0, 0x0b, // code
        ];
        assert_eq!(export_names(&wasm).expect("reads"), ["mount", "free"]);
        assert!(import_modules(&wasm).expect("reads").is_empty());
        assert!(export_names(b"nope").is_err());
    }

    #[test]
    fn import_modules_are_read_once_each() {
        // (import "a" "f" (func)) (import "a" "g" (func)) (import "b" "h" (func))
        let wasm = [
            0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, // header
            1, 4, 1, 0x60, 0, 0, // type section
            2, 19, 3, 1, b'a', 1, b'f', 0, 0, 1, b'a', 1, b'g', 0, 0, 1, b'b', 1, b'h', 0, 0, // imports
        ];
        assert_eq!(import_modules(&wasm).expect("reads"), ["a", "b"]);
        // (import "a" "m" (memory 1))
        let memory = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 2, 8, 1, 1, b'a', 1, b'm', 2, 0, 1];
        let e = import_modules(&memory).unwrap_err().to_string();
        assert!(e.contains("a.m, which is not a function"), "{e}");
        // A section that claims more bytes than there are.
        assert!(import_modules(&[0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 2, 9, 1]).is_err());
    }
}

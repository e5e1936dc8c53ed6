//! Caret positions: the DOM counts them in UTF-16 code units, Rust's
//! strings in bytes.

/// The byte offset in `text` of a DOM caret position (at a character's
/// boundary; the end of the text when past it).
pub(crate) fn byte_offset(text: &str, utf16: u32) -> usize {
    let mut units = 0u32;
    for (at, c) in text.char_indices() {
        if units >= utf16 {
            return at;
        }
        units += c.len_utf16() as u32;
    }
    text.len()
}

/// The DOM caret position of a byte offset in `text`.
pub(crate) fn utf16_offset(text: &str, byte: usize) -> u32 {
    text.get(..byte).unwrap_or(text).encode_utf16().count() as u32
}

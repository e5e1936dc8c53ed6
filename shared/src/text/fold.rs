//! Character folding: the first stage of normalisation.
//!
//! Folding maps every character to the form the index stores: lower case,
//! half width, no Latin diacritics, one kind of apostrophe and dash. It works
//! one character at a time and needs no Unicode tables beyond what `std`
//! already carries for `char::to_lowercase`, so it stays small in wasm.

/// Folds one character into zero or more output characters, pushed to `out`.
pub(crate) fn fold_char(c: char, out: &mut String) {
    let c = fold_width(c);
    match c {
        // Typographic apostrophes and primes become the ASCII apostrophe so
        // that "don’t" and "don't" normalise alike.
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => out.push('\''),
        // Every dash and hyphen becomes a space: "e-mail" and "e mail" match.
        '\u{2010}'..='\u{2015}' | '\u{2212}' | '-' | '_' => out.push(' '),
        // Ideographic and other spaces.
        '\u{00A0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}' => out.push(' '),
        // Zero-width characters are dropped.
        '\u{200B}'..='\u{200D}' | '\u{FEFF}' | '\u{00AD}' => {}
        c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        c => {
            if let Some(base) = strip_diacritic(c) {
                out.push(base);
            } else if c == 'ß' {
                out.push_str("ss");
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
}

/// Maps full-width ASCII variants (U+FF01..U+FF5E) to ASCII.
fn fold_width(c: char) -> char {
    let u = c as u32;
    if (0xFF01..=0xFF5E).contains(&u) { char::from_u32(u - 0xFEE0).unwrap_or(c) } else { c }
}

/// Removes the diacritic from common Latin letters (Latin-1 and Latin
/// Extended-A), returning the lower-case base letter.
fn strip_diacritic(c: char) -> Option<char> {
    let base = match c {
        'À'..='Å' | 'à'..='å' | 'Ā' | 'ā' | 'Ă' | 'ă' | 'Ą' | 'ą' => 'a',
        'Ç' | 'ç' | 'Ć' | 'ć' | 'Č' | 'č' => 'c',
        'Ď' | 'ď' | 'Đ' | 'đ' => 'd',
        'È'..='Ë' | 'è'..='ë' | 'Ē' | 'ē' | 'Ę' | 'ę' | 'Ě' | 'ě' => 'e',
        'Ì'..='Ï' | 'ì'..='ï' | 'Ī' | 'ī' | 'İ' | 'ı' => 'i',
        'Ñ' | 'ñ' | 'Ń' | 'ń' | 'Ň' | 'ň' => 'n',
        'Ò'..='Ö' | 'Ø' | 'ò'..='ö' | 'ø' | 'Ō' | 'ō' | 'Ő' | 'ő' => 'o',
        'Ś' | 'ś' | 'Š' | 'š' | 'Ş' | 'ş' => 's',
        'Ť' | 'ť' | 'Ţ' | 'ţ' => 't',
        'Ù'..='Ü' | 'ù'..='ü' | 'Ū' | 'ū' | 'Ů' | 'ů' | 'Ű' | 'ű' => 'u',
        'Ý' | 'ý' | 'ÿ' | 'Ÿ' => 'y',
        'Ź' | 'ź' | 'Ż' | 'ż' | 'Ž' | 'ž' => 'z',
        'Ł' | 'ł' => 'l',
        'Ř' | 'ř' => 'r',
        'Ğ' | 'ğ' => 'g',
        _ => return None,
    };
    Some(base)
}

/// Folds a whole string: see the module documentation.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::fold;

    fn check(input: &str, expect: &str) {
        assert_eq!(fold(input), expect, "fold({input:?})");
    }

    #[test]
    fn folds_case_width_and_marks() {
        check("Hello WORLD", "hello world");
        check("ＡＢＣ１２３！", "abc123!");
        check("Café Crème", "cafe creme");
        check("don’t", "don't");
        check("e-mail\u{3000}now", "e mail now");
        check("Straße", "strasse");
        check("zero\u{200B}width", "zerowidth");
        check("紧急：无法登录", "紧急:无法登录");
    }
}

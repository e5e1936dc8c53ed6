//! Help-centre categories: how a list of articles is grouped under them,
//! and the order a site's admins put them in.

use crate::error::Error;
use crate::kb::MAX_CATEGORY_LEN;

/// Most categories a site's order names.
pub const MAX_ORDERED_CATEGORIES: usize = 100;

/// The key a category is known by: trimmed and lower-cased, so "billing"
/// and "Billing " are one category (and "Billing/Invoices" and
/// "billing / invoices" one section).
fn key(name: &str) -> String {
    match split_section(name) {
        (category, Some(section)) => format!("{} / {}", category.to_lowercase(), section.to_lowercase()),
        (category, None) => category.to_lowercase(),
    }
}

/// A category name's category and section: "Billing / Invoices" is the
/// section "Invoices" of "Billing" (split at the first ` / `, a slash with
/// a space on each side, each side trimmed), so "24/7", "TCP/IP" or
/// "Returns/Exchanges" stay one category. A name without one, or with
/// nothing on one side of it, is a category of its own.
pub fn split_section(name: &str) -> (&str, Option<&str>) {
    match name.split_once(" / ") {
        Some((category, section)) if !category.trim().is_empty() && !section.trim().is_empty() => {
            (category.trim(), Some(section.trim()))
        }
        _ => (name.trim(), None),
    }
}

/// Checks a site's category order (`field` names it in errors): each name
/// one line of 1 to [`MAX_CATEGORY_LEN`] characters, each category once,
/// at most [`MAX_ORDERED_CATEGORIES`]. Returns the names trimmed.
pub fn validate_order(field: &str, order: &[String]) -> Result<Vec<String>, Error> {
    if order.len() > MAX_ORDERED_CATEGORIES {
        return Err(Error::field(field, format!("names at most {MAX_ORDERED_CATEGORIES} categories")));
    }
    let mut out: Vec<String> = Vec::with_capacity(order.len());
    for (i, name) in order.iter().enumerate() {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_CATEGORY_LEN || name.chars().any(char::is_control) {
            return Err(Error::field(
                format!("{field}[{i}]"),
                format!("must be one line of 1 to {MAX_CATEGORY_LEN} characters"),
            ));
        }
        if out.iter().any(|o| key(o) == key(name)) {
            return Err(Error::field(format!("{field}[{i}]"), format!("names {name:?} a second time")));
        }
        out.push(name.to_string());
    }
    Ok(out)
}

/// One category's articles in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryGroup<'a, T> {
    /// The category's name: of its spellings, the first in byte order
    /// (capitals first: "Billing" before "billing"); empty for the
    /// articles with none.
    pub name: &'a str,
    /// Its articles, in the order given.
    pub items: Vec<&'a T>,
}

/// Groups `items` by the category `category` gives each: first the
/// categories `order` names, in its order, then the other named ones in
/// alphabetical order, then the articles with none. Names that differ
/// only in case or surrounding spaces are one category, so "billing" and
/// "Billing " do not split a list.
///
/// A section ([`split_section`]) comes right after its category's own
/// articles, with the category's other sections: those `order` names in
/// its order, then the others alphabetically. A category's place is its
/// own in `order`, or that of its first section there.
pub fn by_category<'a, T, F>(items: &'a [T], category: F, order: &[String]) -> Vec<CategoryGroup<'a, T>>
where
    F: Fn(&'a T) -> &'a str,
{
    let mut groups: Vec<(String, CategoryGroup<'a, T>)> = Vec::new();
    for item in items {
        let name = category(item).trim();
        let key = key(name);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => {
                g.items.push(item);
                g.name = g.name.min(name);
            }
            None => groups.push((key, CategoryGroup { name, items: vec![item] })),
        }
    }
    // The ordered ones by their place, the other named ones by name, the
    // unnamed group last; each section under its category.
    let order: Vec<String> = order.iter().map(|o| key(o)).collect();
    let place = |k: &str| order.iter().position(|o| o == k).unwrap_or(order.len());
    let keys: Vec<String> = groups.iter().map(|(k, _)| k.clone()).collect();
    let category_place = |category: &str| {
        keys.iter().filter(|k| split_section(k).0 == category).map(|k| place(k)).fold(place(category), usize::min)
    };
    let mut ranked: Vec<_> = groups
        .into_iter()
        .map(|(k, g)| {
            let (category, section) = split_section(&k);
            let rank = (k.is_empty(), category_place(category), category.to_string(), section.is_some(), place(&k));
            ((rank, k), g)
        })
        .collect();
    ranked.sort_by(|(a, _), (b, _)| a.cmp(b));
    ranked.into_iter().map(|(_, g)| g).collect()
}

/// Where a category's articles go in an archive: its folder
/// ([`folder_name`]), and a section's folder inside its category's; empty
/// for the top.
pub fn folder_path(category: &str) -> String {
    let (category, section) = split_section(category);
    let mut path = folder_name(category);
    if let Some(section) = section.map(folder_name).filter(|s| !s.is_empty()) {
        if !path.is_empty() {
            path.push('/');
        }
        path.push_str(&section);
    }
    path
}

/// A category's name as a folder in an archive of articles (the KB's
/// Markdown export): every character a common file system refuses in a
/// name (`/ \ : * ? " < > |` and control characters) becomes `-`, and
/// leading and trailing dots and spaces go, so no name climbs out of the
/// archive or hides; a name Windows keeps for a device (`CON`, `COM1`…)
/// gets a `_`. Empty when nothing is left: the articles then sit at the
/// top.
pub fn folder_name(category: &str) -> String {
    let replaced: String =
        category
            .chars()
            .map(|c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '-'
                } else {
                    c
                }
            })
            .collect();
    let name = replaced.trim_matches(|c: char| c == '.' || c.is_whitespace()).to_string();
    let stem = name.split('.').next().unwrap_or_default().to_ascii_uppercase();
    let device = matches!(stem.as_str(), "CON" | "PRN" | "AUX" | "NUL")
        || (stem.len() == 4
            && (stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.as_bytes()[3].is_ascii_digit());
    if device { format!("{name}_") } else { name }
}

#[cfg(test)]
mod tests {
    use super::{MAX_ORDERED_CATEGORIES, by_category, folder_name, folder_path, split_section, validate_order};

    #[test]
    fn named_categories_come_in_order_and_the_rest_last() {
        let items = [("invoices", "billing "), ("api", ""), ("reset", "Account"), ("refunds", "Billing"), ("2fa", "")];
        let groups = by_category(&items, |i| i.1, &[]);
        let shown: Vec<(&str, Vec<&str>)> =
            groups.iter().map(|g| (g.name, g.items.iter().map(|i| i.0).collect())).collect();
        assert_eq!(
            shown,
            [("Account", vec!["reset"]), ("Billing", vec!["invoices", "refunds"]), ("", vec!["api", "2fa"])]
        );
        assert!(by_category(&items[..0], |i| i.1, &[]).is_empty());
        // With no categories at all there is one unnamed group.
        let plain = by_category(&items[1..2], |i| i.1, &[]);
        assert_eq!((plain.len(), plain[0].name), (1, ""));
    }

    #[test]
    fn a_sites_order_comes_first_and_the_rest_follow_by_name() {
        let items = [("a", "Zebras"), ("b", ""), ("c", "Apples"), ("d", "billing"), ("e", "Mangoes")];
        let names = |order: &[&str]| -> Vec<String> {
            let order: Vec<String> = order.iter().map(|s| s.to_string()).collect();
            by_category(&items, |i| i.1, &order).iter().map(|g| g.name.to_string()).collect()
        };
        // Named in any case; a name no article has changes nothing.
        assert_eq!(names(&[" BILLING", "Zebras", "Nothing here"]), ["billing", "Zebras", "Apples", "Mangoes", ""]);
        assert_eq!(names(&[]), ["Apples", "billing", "Mangoes", "Zebras", ""]);
    }

    #[test]
    fn sections_come_under_their_category_in_the_sites_order() {
        assert_eq!(split_section(" Billing / Invoices "), ("Billing", Some("Invoices")));
        assert_eq!(split_section("Billing  /  Refunds / EU"), ("Billing", Some("Refunds / EU")));
        for flat in ["Billing", " / Invoices", "Billing /  ", " / ", "24/7 help", "<b>Odd</b>", "Billing/Refunds"] {
            assert_eq!(split_section(flat), (flat.trim(), None), "{flat:?}");
        }
        let items = [
            ("inv", "Billing / Invoices"),
            ("api", ""),
            ("ref", "billing / refunds"),
            ("own", "Billing"),
            ("pw", "Account"),
            ("inv2", "billing  /  invoices "),
        ];
        let names = |order: &[&str]| -> Vec<(String, Vec<&str>)> {
            let order: Vec<String> = order.iter().map(|s| s.to_string()).collect();
            by_category(&items, |i| i.1, &order)
                .iter()
                .map(|g| (g.name.to_string(), g.items.iter().map(|i| i.0).collect()))
                .collect()
        };
        let all = names(&[]);
        let shown: Vec<&str> = all.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(shown, ["Account", "Billing", "Billing / Invoices", "billing / refunds", ""]);
        assert_eq!(all[2].1, ["inv", "inv2"], "one section, however it is spaced");
        // A section the order names brings its category up, first among
        // its sections.
        let ordered = names(&["Billing / Refunds", "Account"]);
        let shown: Vec<&str> = ordered.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(shown, ["Billing", "billing / refunds", "Billing / Invoices", "Account", ""]);
    }

    #[test]
    fn an_order_names_each_category_once_on_one_line() {
        let ok = validate_order("order", &[" Billing ".into(), "Account".into()]).unwrap();
        assert_eq!(ok, ["Billing", "Account"]);
        let err = |order: Vec<String>| validate_order("order", &order).unwrap_err().to_string();
        assert!(err(vec!["Billing".into(), "billing ".into()]).starts_with("order[1]: names"));
        assert!(err(vec!["".into()]).starts_with("order[0]: must be one line"));
        assert!(err(vec!["two\nlines".into()]).starts_with("order[0]: must be one line"));
        assert!(err(vec!["x".repeat(81)]).starts_with("order[0]"));
        let many: Vec<String> = (0..=MAX_ORDERED_CATEGORIES).map(|i| format!("c{i}")).collect();
        assert!(err(many).starts_with("order: names at most"));
    }

    #[test]
    fn a_category_becomes_a_folder_name_no_file_system_refuses() {
        assert_eq!(folder_name("Billing"), "Billing");
        assert_eq!(folder_name("账户与登录"), "账户与登录");
        assert_eq!(folder_name("Plans / Prices: 2026?"), "Plans - Prices- 2026-");
        assert_eq!(folder_name("../../etc"), "-..-etc");
        assert_eq!(folder_name(" .hidden. "), "hidden");
        assert_eq!(folder_name("..."), "");
        assert_eq!(folder_name(""), "");
        assert_eq!(folder_name("con"), "con_");
        assert_eq!(folder_name("Com1.txt"), "Com1.txt_");
        assert_eq!(folder_name("Company"), "Company");
        assert_eq!(folder_name("tab\there"), "tab-here");
        assert_eq!(folder_name(r"C:\Windows"), "C--Windows");
        // A section is a folder in its category's.
        assert_eq!(folder_path("Billing / Invoices"), "Billing/Invoices");
        assert_eq!(folder_path("... / Invoices?"), "Invoices-");
        assert_eq!(folder_path("Billing / .."), "Billing");
        assert_eq!(folder_path("24/7 help"), "24-7 help");
    }
}

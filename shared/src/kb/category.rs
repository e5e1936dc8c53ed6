//! Help-centre categories: how a list of articles is grouped under them.

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

/// Groups `items` by the category `category` gives each: named categories
/// in alphabetical order, then the articles with none. Names that differ
/// only in case or surrounding spaces are one category, so "billing" and
/// "Billing " do not split a list.
pub fn by_category<'a, T, F>(items: &'a [T], category: F) -> Vec<CategoryGroup<'a, T>>
where
    F: Fn(&'a T) -> &'a str,
{
    let mut groups: Vec<(String, CategoryGroup<'a, T>)> = Vec::new();
    for item in items {
        let name = category(item).trim();
        let key = name.to_lowercase();
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => {
                g.items.push(item);
                g.name = g.name.min(name);
            }
            None => groups.push((key, CategoryGroup { name, items: vec![item] })),
        }
    }
    // The unnamed group sorts last; the others by name.
    groups.sort_by(|(a, _), (b, _)| a.is_empty().cmp(&b.is_empty()).then_with(|| a.cmp(b)));
    groups.into_iter().map(|(_, g)| g).collect()
}

#[cfg(test)]
mod tests {
    use super::by_category;

    #[test]
    fn named_categories_come_in_order_and_the_rest_last() {
        let items = [("invoices", "billing "), ("api", ""), ("reset", "Account"), ("refunds", "Billing"), ("2fa", "")];
        let groups = by_category(&items, |i| i.1);
        let shown: Vec<(&str, Vec<&str>)> =
            groups.iter().map(|g| (g.name, g.items.iter().map(|i| i.0).collect())).collect();
        assert_eq!(
            shown,
            [("Account", vec!["reset"]), ("Billing", vec!["invoices", "refunds"]), ("", vec!["api", "2fa"])]
        );
        assert!(by_category(&items[..0], |i| i.1).is_empty());
        // With no categories at all there is one unnamed group.
        let plain = by_category(&items[1..2], |i| i.1);
        assert_eq!((plain.len(), plain[0].name), (1, ""));
    }
}

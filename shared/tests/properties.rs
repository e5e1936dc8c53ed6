//! Properties that must hold for any input: normalisation is idempotent,
//! an index survives its binary format unchanged, an article its Markdown,
//! and no decoder or parser panics on hostile input.

use deflect_shared::api::{ArticleInput, parse_markdown, to_markdown};
use deflect_shared::kb::{Article, BuildOptions, KbIndex, PublishedKb, SearchOptions};
use deflect_shared::rules::RuleSet;
use deflect_shared::text::{analyze, normalize};
use proptest::prelude::*;

/// Text mixing ASCII, Latin letters with marks, full-width forms, CJK,
/// punctuation, apostrophes and odd spaces.
fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[a-zA-Z0-9 ]{1,8}",
            "[àéîõüßÇÑİı]{1,3}",
            "[ＡＢＣ１２３！]{1,3}",
            "[无法登录退款密码紧急]{1,4}",
            "[.,!?;:'’\"()\\-_ \u{3000}\u{200B}]{1,3}",
            any::<char>().prop_map(|c| c.to_string()),
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

fn articles() -> impl Strategy<Value = Vec<Article>> {
    let word = prop_oneof!["[a-z]{2,9}", "[无法登录退款密码账户]{2,3}"];
    let sentence = prop::collection::vec(word, 1..8).prop_map(|w| w.join(" "));
    prop::collection::vec((sentence.clone(), prop::collection::vec(sentence, 0..4)), 1..12).prop_map(|items| {
        items
            .into_iter()
            .enumerate()
            .map(|(i, (title, phrasings))| Article {
                id: format!("a{i}"),
                body: format!("{title}. {}", phrasings.join(". ")),
                title,
                phrasings,
                locale: "en".into(),
                ..Article::default()
            })
            .collect()
    })
}

fn quick() -> BuildOptions {
    BuildOptions { learn_weights: false, ..BuildOptions::default() }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn normalisation_is_idempotent(s in text()) {
        let once = normalize(&s);
        prop_assert_eq!(normalize(&once), once.clone());
        // And analysing the normal form sees the same words.
        prop_assert_eq!(analyze(&once), analyze(&s));
    }

    /// The format quantises the model's weights, so the first encoding
    /// loses precision once; from then on an index is a fixed point. The
    /// widget and the help centre both search a decoded index, so they
    /// agree exactly.
    #[test]
    fn a_decoded_index_round_trips_exactly(kb in articles(), questions in prop::collection::vec(text(), 1..5)) {
        let built = KbIndex::build(&kb, &quick()).expect("valid articles build");
        let once = KbIndex::decode(&built.encode()).expect("an encoded index decodes");
        prop_assert_eq!(once.articles(), built.articles());
        let bytes = once.encode();
        let twice = KbIndex::decode(&bytes).expect("decodes again");
        prop_assert_eq!(twice.encode(), bytes);
        for q in &questions {
            let (a, b) = (once.search(q, SearchOptions::default()), twice.search(q, SearchOptions::default()));
            prop_assert_eq!(a, b);
        }
    }

    #[test]
    fn damaged_indexes_are_errors_not_panics(kb in articles(), cuts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)) {
        let bytes = KbIndex::build(&kb, &quick()).expect("builds").encode();
        let mut damaged = bytes.clone();
        for (at, value) in cuts {
            let i = at.index(damaged.len());
            damaged[i] = value;
        }
        // Either it decodes (the change hit text or numbers) and searching
        // works, or it is refused in words.
        match KbIndex::decode(&damaged) {
            Ok(ix) => { let _ = ix.search("card refund 密码", SearchOptions::default()); }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
        let _ = KbIndex::decode(&bytes[..bytes.len() / 2]);
    }

    #[test]
    fn arbitrary_bytes_never_panic_the_decoder(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let mut with_magic = b"DFKB\x01\x00".to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = KbIndex::decode(&bytes);
        let _ = KbIndex::decode(&with_magic);
        let _ = PublishedKb::decode(&bytes);
        let _ = PublishedKb::decode(&with_magic);
    }

    /// The help centre's categories come back as they were published, and
    /// damage to them is an error in words, never a panic.
    #[test]
    fn categories_round_trip_and_damage_is_an_error(
        mut kb in articles(),
        names in prop::collection::vec(text(), 1..4),
        cuts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        for (i, a) in kb.iter_mut().enumerate() {
            a.category = names[i % names.len()].chars().filter(|c| !c.is_control()).take(80).collect();
        }
        let published = PublishedKb::build(&kb, &quick()).expect("builds");
        let bytes = published.encode();
        let back = PublishedKb::decode(&bytes).expect("decodes");
        prop_assert_eq!(&back.categories, &published.categories);
        let widget = KbIndex::decode(&bytes).expect("the widget decodes it");
        prop_assert_eq!(back.index.articles(), widget.articles());
        let mut damaged = bytes.clone();
        for (at, value) in cuts {
            let i = at.index(damaged.len());
            damaged[i] = value;
        }
        if let Err(e) = PublishedKb::decode(&damaged) {
            prop_assert!(!e.to_string().is_empty());
        }
        let _ = PublishedKb::decode(&bytes[..bytes.len() - 1]);
    }

    /// An article written as a Markdown file (the KB's Markdown export)
    /// reads back as the same article.
    #[test]
    fn an_article_round_trips_through_markdown(
        id in "[a-z0-9][a-z0-9-]{0,20}",
        title in text(),
        body in prop::collection::vec(text(), 0..4),
        tags in prop::collection::vec(text(), 0..4),
        phrasings in prop::collection::vec(text(), 0..4),
        category in text(),
        chinese in any::<bool>(),
    ) {
        // One-line fields hold no control characters; the rest is any text.
        let line = |s: &String| s.chars().filter(|c| !c.is_control()).collect::<String>();
        let lines = |v: &[String]| v.iter().map(line).filter(|s| !s.trim().is_empty()).collect::<Vec<_>>();
        let input = ArticleInput {
            id: Some(id),
            title: format!("T{}", line(&title)),
            body: body.iter().map(line).collect::<Vec<_>>().join("\n"),
            tags: lines(&tags),
            phrasings: lines(&phrasings),
            locale: Some(if chinese { "zh" } else { "en" }.into()),
            category: Some(line(&category).chars().take(80).collect()),
        };
        let want = input.validate("fallback");
        prop_assume!(want.is_ok());
        let back = parse_markdown(&to_markdown(&input)).expect("reads back");
        prop_assert_eq!(back.validate("fallback").expect("still valid"), want.expect("valid"));
    }

    #[test]
    fn the_rules_parser_never_panics(s in text(), n in 0u32..5) {
        let _ = RuleSet::parse(&s);
        let json = format!(
            r#"[{{"id":"r{n}","name":{name},"all":[{{"field":"text","op":"contains","value":{name}}}],"actions":[{{"type":"set_priority","level":{name}}},{{"type":"add_tag","tag":{name}}}]}}]"#,
            name = serde_json::to_string(&s).unwrap_or_default()
        );
        let _ = RuleSet::parse(&json);
    }
}

//! What the matcher sees of a text: BM25 terms and hashed model features.
//!
//! Both are derived from one [`Analysis`], so the index builder and the
//! query path cannot disagree about tokenisation.

use crate::text::{Analysis, cjk_ngrams};

/// A feature's family; each family is L2-normalised on its own and then
/// scaled by its weight in [`FeatureConfig`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Block {
    /// Word stems and stem bigrams.
    Words = 0,
    /// Character n-grams of words and of CJK runs (typo tolerance and
    /// dictionary-free Chinese).
    Chars = 1,
    /// Unordered pairs of content stems in one sentence ("card"+"stolen").
    Pairs = 2,
}

/// The number of [`Block`]s.
pub(crate) const BLOCKS: usize = 3;

/// Settings for feature extraction. Stored in the index so the query side
/// uses exactly what the builder used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FeatureConfig {
    /// Smallest character n-gram of a padded Latin word (1..=5).
    pub char_min: u8,
    /// Largest character n-gram of a padded Latin word (`char_min`..=6).
    pub char_max: u8,
    /// Largest character n-gram of a CJK run (1..=4); the smallest is 1.
    pub cjk_max: u8,
    /// Weight of each block after normalisation (0.0..=4.0).
    pub block_weights: [f32; BLOCKS],
}

impl Default for FeatureConfig {
    fn default() -> Self {
        FeatureConfig { char_min: 1, char_max: 4, cjk_max: 3, block_weights: [1.0, 1.0, 0.8] }
    }
}

/// 32-bit FNV-1a, the hash that names a model feature. Stable across
/// platforms and versions: changing it changes the index format.
pub(crate) fn fnv1a(namespace: u8, parts: &[&str]) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    let mut eat = |b: u8| {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    };
    eat(namespace);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            eat(0x1f);
        }
        for b in part.bytes() {
            eat(b);
        }
    }
    h
}

/// A hashed feature with its raw count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct RawFeature {
    pub(crate) hash: u32,
    pub(crate) block: Block,
    pub(crate) count: u32,
}

/// The BM25 terms of an analysis: content stems and CJK unigrams and
/// bigrams.
pub(crate) fn terms(analysis: &Analysis) -> Vec<String> {
    let mut out: Vec<String> = analysis.content_stems().map(str::to_string).collect();
    for run in &analysis.cjk_runs {
        out.extend(cjk_ngrams(run, 1..=2));
    }
    out
}

/// The model features of an analysis, hashed, merged and counted.
pub(crate) fn raw_features(analysis: &Analysis, config: &FeatureConfig) -> Vec<RawFeature> {
    let mut feats: Vec<(u32, Block)> = Vec::new();
    let stems: Vec<&str> = analysis.words.iter().map(|w| w.stem.as_str()).collect();
    for s in &stems {
        feats.push((fnv1a(1, &[s]), Block::Words));
    }
    for pair in stems.windows(2) {
        feats.push((fnv1a(2, pair), Block::Words));
    }
    let (lo, hi) = (usize::from(config.char_min.max(1)), usize::from(config.char_max));
    for word in &analysis.words {
        let padded: Vec<char> = std::iter::once(' ').chain(word.folded.chars()).chain(std::iter::once(' ')).collect();
        for n in lo..=hi.min(padded.len()) {
            for gram in padded.windows(n) {
                // A lone padding space says nothing.
                if n == 1 && gram[0] == ' ' {
                    continue;
                }
                let gram: String = gram.iter().collect();
                feats.push((fnv1a(3, &[&gram]), Block::Chars));
            }
        }
    }
    for run in &analysis.cjk_runs {
        for gram in cjk_ngrams(run, 1..=usize::from(config.cjk_max.max(1))) {
            feats.push((fnv1a(4, &[&gram]), Block::Chars));
        }
    }
    let mut content: Vec<&str> = analysis.content_stems().collect();
    content.sort_unstable();
    content.dedup();
    for (i, a) in content.iter().enumerate() {
        for b in &content[i + 1..] {
            feats.push((fnv1a(5, &[a, b]), Block::Pairs));
        }
    }
    feats.sort_unstable();
    let mut out: Vec<RawFeature> = Vec::with_capacity(feats.len());
    for (hash, block) in feats {
        match out.last_mut() {
            Some(last) if last.hash == hash => last.count += 1,
            _ => out.push(RawFeature { hash, block, count: 1 }),
        }
    }
    out
}

/// Turns counts into a weighted vector: sublinear tf times idf, each block
/// L2-normalised and scaled. `idf` returns `None` for a feature the model
/// does not know, which is then left out (as are its counts from the norm).
pub(crate) fn weigh<F>(raw: &[RawFeature], config: &FeatureConfig, idf: F) -> Vec<(u32, f32)>
where
    F: Fn(u32) -> Option<f32>,
{
    let mut out: Vec<(u32, f32, Block)> = Vec::with_capacity(raw.len());
    let mut norms = [0.0f32; BLOCKS];
    for f in raw {
        if let Some(idf) = idf(f.hash) {
            let v = (1.0 + (f.count as f32).ln()) * idf;
            norms[f.block as usize] += v * v;
            out.push((f.hash, v, f.block));
        }
    }
    let scale: Vec<f32> =
        norms.iter().zip(config.block_weights).map(|(n, w)| if *n > 0.0 { w / n.sqrt() } else { 0.0 }).collect();
    out.into_iter().map(|(h, v, b)| (h, v * scale[b as usize])).filter(|(_, v)| *v != 0.0).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::analyze;

    #[test]
    fn terms_cover_words_and_cjk() {
        let t = terms(&analyze("My card is lost 无法登录"));
        assert_eq!(t, ["card", "lost", "无", "法", "登", "录", "无法", "法登", "登录"]);
    }

    #[test]
    fn features_are_deterministic_and_counted() {
        let cfg = FeatureConfig::default();
        let a = raw_features(&analyze("card card"), &cfg);
        let b = raw_features(&analyze("CARD card!"), &cfg);
        assert_eq!(a, b);
        let card = fnv1a(1, &["card"]);
        assert_eq!(a.iter().find(|f| f.hash == card).map(|f| f.count), Some(2));
    }

    #[test]
    fn weighing_normalises_each_block() {
        let cfg = FeatureConfig::default();
        let raw = raw_features(&analyze("lost card"), &cfg);
        let v = weigh(&raw, &cfg, |_| Some(1.0));
        let mut sq = [0.0f32; BLOCKS];
        for (h, x) in &v {
            let block = raw.iter().find(|f| f.hash == *h).map(|f| f.block).unwrap_or(Block::Words);
            sq[block as usize] += x * x;
        }
        for (b, w) in cfg.block_weights.iter().enumerate() {
            assert!((sq[b].sqrt() - w).abs() < 1e-4, "block {b}: {}", sq[b]);
        }
    }

    #[test]
    fn hash_is_stable() {
        // Pinned: the index format depends on these values.
        assert_eq!(fnv1a(1, &["card"]), fnv1a(1, &["card"]));
        assert_ne!(fnv1a(1, &["card"]), fnv1a(3, &["card"]));
        assert_eq!(fnv1a(0, &[]), 0x050c_5d1f);
    }
}

//! `cargo xtask eval`: matching quality on the public datasets in
//! `../shared/eval/`.

use anyhow::{Context, Result};
use deflect_shared::kb::{Article, BuildOptions, EvalReport, KbIndex, LabelledQuestion, evaluate};
use std::path::{Path, PathBuf};

pub(crate) const DATASETS: [&str; 3] = ["banking77", "clinc150", "smp2017"];

/// Where the datasets live: `$DEFLECT_EVAL_DIR`, or `../shared/eval` beside
/// the checkout.
pub(crate) fn eval_dir() -> PathBuf {
    std::env::var_os("DEFLECT_EVAL_DIR").map(PathBuf::from).unwrap_or_else(|| crate_root().join("../shared/eval"))
}

pub(crate) fn crate_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read_jsonl(path: &Path) -> Result<Vec<serde_json::Value>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).with_context(|| format!("parsing a line of {}", path.display())))
        .collect()
}

fn field(v: &serde_json::Value, key: &str) -> String {
    v.get(key).and_then(|x| x.as_str()).unwrap_or_default().to_string()
}

/// The dataset's KB as articles: the body holds the example phrasings.
pub(crate) fn load_kb(dir: &Path) -> Result<Vec<Article>> {
    Ok(read_jsonl(&dir.join("kb.jsonl"))?
        .iter()
        .map(|v| Article {
            id: field(v, "id"),
            title: field(v, "title"),
            body: field(v, "body"),
            locale: String::new(),
            ..Article::default()
        })
        .collect())
}

pub(crate) fn load_questions(dir: &Path) -> Result<Vec<LabelledQuestion>> {
    let mut out = Vec::new();
    for name in ["dev.jsonl", "oos_dev.jsonl"] {
        let path = dir.join(name);
        if !path.exists() {
            continue;
        }
        for v in read_jsonl(&path)? {
            out.push(LabelledQuestion {
                text: field(&v, "text"),
                expected: v.get("expected").and_then(|x| x.as_str()).map(str::to_string),
            });
        }
    }
    Ok(out)
}

/// Builds the dataset's index, sends it through the binary format as the
/// widget receives it, and evaluates it.
pub(crate) fn eval_dataset(name: &str) -> Result<(EvalReport, usize)> {
    let dir = eval_dir().join(name);
    let articles = load_kb(&dir)?;
    let questions = load_questions(&dir)?;
    let mut opts = BuildOptions::default();
    if let Ok(v) = std::env::var("EXP") {
        let v: Vec<f32> = v.split(',').map(|x| x.parse().unwrap()).collect();
        opts.train.epochs = v[0] as u32;
        opts.train.learning_rate = v[1];
        opts.train.l2 = v[2];
        opts.train.max_article_share = v[3];
        opts.features.block_weights = [v[4], v[5], v[6]];
        opts.features.char_min = v[7] as u8;
        opts.features.char_max = v[8] as u8;
        opts.learn_weights = v[9] > 0.0;
    }
    let index = KbIndex::build(&articles, &opts)?;
    eprintln!("weights {:?} stats {:?}", index.weights().signals, index.stats());
    let bytes = index.encode();
    let shipped = KbIndex::decode(&bytes)?;
    Ok((evaluate(&shipped, &questions), bytes.len()))
}

pub(crate) fn run(args: &[String]) -> Result<()> {
    let names: Vec<&str> = if args.is_empty() { DATASETS.to_vec() } else { args.iter().map(String::as_str).collect() };
    eprintln!(
        "| dataset | top-1 | top-3 | threshold | in-scope correct | out-of-scope rejected | overall | index bytes |"
    );
    eprintln!("|---|---|---|---|---|---|---|---|");
    for name in names {
        let (r, size) = eval_dataset(name)?;
        let oos = if r.out_of_scope > 0 {
            format!(
                "{:.3} | {:.1}% | {:.1}% | {:.1}%",
                r.threshold,
                r.in_scope_accuracy_pct(),
                r.out_of_scope_recall_pct(),
                r.overall_accuracy_pct()
            )
        } else {
            "– | – | – | –".to_string()
        };
        eprintln!("| {name} | {:.1}% | {:.1}% | {oos} | {size} |", r.top1_pct(), r.top3_pct());
    }
    Ok(())
}

/// Temporary experiment: which confidence separates out-of-scope best.
pub(crate) fn oos_experiment(name: &str) -> Result<()> {
    let dir = eval_dir().join(name);
    let articles = load_kb(&dir)?;
    let questions = load_questions(&dir)?;
    let index = KbIndex::decode(&KbIndex::build(&articles, &BuildOptions::default())?.encode())?;
    let w = index.weights().signals;
    let mut rows: Vec<(Vec<f32>, bool, bool)> = Vec::new();
    for q in &questions {
        let Some(sig) = index.signals(&q.text, false) else {
            rows.push((vec![0.0; 8], false, q.expected.is_none()));
            continue;
        };
        let scores: Vec<f32> = sig.iter().map(|s| w.iter().zip(s).map(|(a, b)| a * b).sum()).collect();
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let max = scores[order[0]];
        let sum: f32 = scores.iter().map(|s| (s - max).exp()).sum();
        let p1 = 1.0 / sum;
        let p2 = (scores[order[1]] - max).exp() / sum;
        let t = order[0];
        let feats =
            vec![p1, p1 - p2, sig[t][0], sig[t][1], sig[t][2], sig[t][3], scores[t] - scores[order[1]], sig[t][2] * p1];
        let correct = q.expected.as_deref() == Some(index.articles()[t].id.as_str());
        rows.push((feats, correct, q.expected.is_none()));
    }
    let names = ["p1", "p1-p2", "model_z", "bm25_z", "coverage", "bm25n", "score margin", "cov*p1"];
    for (i, n) in names.iter().enumerate() {
        let mut v: Vec<(f32, bool, bool)> = rows.iter().map(|r| (r.0[i], r.1, r.2)).collect();
        v.sort_by(|a, b| b.0.total_cmp(&a.0));
        let total = v.len();
        let mut rej = v.iter().filter(|x| x.2).count();
        let mut cor = 0;
        let mut best = rej;
        for x in &v {
            cor += usize::from(x.1);
            rej -= usize::from(x.2);
            best = best.max(cor + rej);
        }
        eprintln!("{name} {n:14} overall {:.1}%", 100.0 * best as f64 / total as f64);
    }
    Ok(())
}

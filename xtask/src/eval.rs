//! `cargo xtask eval`: matching quality on the public datasets in
//! `../shared/eval/`.

use anyhow::{Context, Result, bail};
use deflect_shared::kb::{Article, BuildOptions, EvalReport, KbIndex, LabelledQuestion, SearchOptions, evaluate};
use std::io::Write;
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

/// Builds the index of the KB in `dir` and sends it through the binary
/// format as the widget receives it. Returns the index and its size in bytes.
fn shipped_index(dir: &Path) -> Result<(KbIndex, usize)> {
    let bytes = KbIndex::build(&load_kb(dir)?, &BuildOptions::default())?.encode();
    Ok((KbIndex::decode(&bytes)?, bytes.len()))
}

/// Evaluates the dataset's index as the widget receives it.
pub(crate) fn eval_dataset(name: &str) -> Result<(EvalReport, usize)> {
    let dir = eval_dir().join(name);
    let (index, size) = shipped_index(&dir)?;
    Ok((evaluate(&index, &load_questions(&dir)?), size))
}

/// The quality table of `names` (all datasets when empty), in Markdown.
pub(crate) fn table(names: &[&str]) -> Result<String> {
    let names = if names.is_empty() { &DATASETS[..] } else { names };
    let mut out = String::from(
        "| dataset | questions | top-1 (95% interval) | top-3 | threshold | in-scope correct | out-of-scope rejected | overall | index bytes |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
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
        let (lo, hi) = r.top1_interval_pct();
        let questions = if r.out_of_scope > 0 {
            format!("{} + {} out of scope", r.in_scope, r.out_of_scope)
        } else {
            r.in_scope.to_string()
        };
        out.push_str(&format!(
            "| {name} | {questions} | {:.1}% ({lo:.1}–{hi:.1}) | {:.1}% | {oos} | {size} |\n",
            r.top1_pct(),
            r.top3_pct()
        ));
    }
    Ok(out)
}

/// Prints each in-scope question whose right article did not rank first:
/// the question, the right article and the one ranked first.
fn print_misses(name: &str) -> Result<()> {
    let dir = eval_dir().join(name);
    let (index, _) = shipped_index(&dir)?;
    let mut out = std::io::stdout().lock();
    for q in load_questions(&dir)? {
        let Some(expected) = &q.expected else { continue };
        let matches = index.search(&q.text, SearchOptions::default());
        let first = matches.hits.first().map_or("(none)", |h| index.articles()[h.article].id.as_str());
        if first != expected {
            match writeln!(out, "{name}\t{}\texpected {expected}\tgot {first}", q.text) {
                // The reader stopped early (`| head`): nothing more to say.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => return Ok(()),
                other => other?,
            }
        }
    }
    Ok(())
}

/// Writes `<dir>/<dataset>.scores`: one line per question (in-scope, then
/// out-of-scope, in file order) with every article's combined score in KB
/// order, for experiments that combine the matcher with another scorer
/// (see `bench/experiments/`).
fn write_scores(name: &str, dir: &Path) -> Result<()> {
    let data = eval_dir().join(name);
    let (index, _) = shipped_index(&data)?;
    let mut out = String::new();
    for q in load_questions(&data)? {
        let scores: Vec<String> = match index.signals(&q.text, false) {
            Some(signals) => signals.iter().map(|s| format!("{:.5}", index.weights().combine(s))).collect(),
            None => vec!["0".to_string(); index.articles().len()],
        };
        out.push_str(&scores.join(" "));
        out.push('\n');
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join(format!("{name}.scores"));
    std::fs::write(&path, out).with_context(|| format!("writing {}", path.display()))
}

const USAGE: &str = "usage: cargo xtask eval [--misses | --scores DIR] [banking77|clinc150|smp2017]";

/// `cargo xtask eval [--misses | --scores DIR] [dataset...]`: prints the
/// quality table, or with `--misses` the questions ranked wrong, or with
/// `--scores` writes every article's score for every question.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut misses = false;
    let mut scores: Option<PathBuf> = None;
    let mut names: Vec<&str> = Vec::new();
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--misses" => misses = true,
            "--scores" => match rest.next() {
                Some(dir) => scores = Some(PathBuf::from(dir)),
                None => bail!("--scores needs a folder to write to; {USAGE}"),
            },
            name if DATASETS.contains(&name) => names.push(name),
            bad => bail!("unknown dataset or option {bad}; {USAGE}"),
        }
    }
    if misses && scores.is_some() {
        bail!("--misses and --scores do not go together; {USAGE}");
    }
    let all = if names.is_empty() { DATASETS.to_vec() } else { names.clone() };
    if let Some(dir) = scores {
        return all.iter().try_for_each(|n| write_scores(n, &dir));
    }
    if misses {
        return all.iter().try_for_each(|n| print_misses(n));
    }
    eprint!("{}", table(&names)?);
    Ok(())
}

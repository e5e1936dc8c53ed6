//! Fitting the priority model to agents' final priorities.

use super::{FEATURES, Level, ModelSource, PriorityModel};
use crate::error::{Error, ErrorKind};

/// One training example: a ticket's features and the level an agent gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct PriorityExample {
    /// The ticket's feature values when it was scored.
    pub features: [f32; FEATURES],
    /// The level the agent set.
    pub level: Level,
}

/// Fewest examples [`PriorityModel::fit`] accepts.
pub const MIN_EXAMPLES: usize = 5;

impl PriorityModel {
    /// Ridge regression of the agents' levels (as band midpoints) on the
    /// features, pulled towards `self` with strength `lambda` (0.1..=100), so
    /// that features the agents never saw keep their hand weight.
    pub fn fit(&self, examples: &[PriorityExample], lambda: f32) -> Result<PriorityModel, Error> {
        if examples.len() < MIN_EXAMPLES {
            return Err(Error::new(ErrorKind::Training(format!(
                "need at least {MIN_EXAMPLES} agent decisions, have {}",
                examples.len()
            ))));
        }
        // Unknowns: θ₀..θ₉ and the bias, solved from the normal equations
        // (XᵀX + λI)w = Xᵀy + λw₀ in f64.
        const N: usize = FEATURES + 1;
        let prior: Vec<f64> =
            self.theta.iter().map(|v| f64::from(*v)).chain(std::iter::once(f64::from(self.bias))).collect();
        let mut a = [[0.0f64; N]; N];
        let mut b = [0.0f64; N];
        for ex in examples {
            let mut x = [1.0f64; N];
            for (xi, f) in x.iter_mut().zip(ex.features.iter()) {
                *xi = f64::from(*f);
            }
            let y = f64::from(ex.level.midpoint());
            for i in 0..N {
                for j in 0..N {
                    a[i][j] += x[i] * x[j];
                }
                b[i] += x[i] * y;
            }
        }
        let lambda = f64::from(lambda.max(1e-3));
        for i in 0..N {
            a[i][i] += lambda;
            b[i] += lambda * prior[i];
        }
        let w = solve(a, b)
            .ok_or_else(|| Error::new(ErrorKind::Training("the agent decisions give a singular system".into())))?;
        let mut theta = [0.0f32; FEATURES];
        for i in 0..FEATURES {
            theta[i] = w[i] as f32;
        }
        let mut fitted = PriorityModel { bias: w[FEATURES] as f32, theta, source: ModelSource::Hand };
        fitted.source = ModelSource::Learned {
            examples: examples.len(),
            agreement_before: self.agreement(examples),
            agreement_after: fitted.agreement(examples),
        };
        Ok(fitted)
    }

    /// Share of examples whose predicted level is the agent's level.
    pub fn agreement(&self, examples: &[PriorityExample]) -> f32 {
        if examples.is_empty() {
            return 0.0;
        }
        let hits = examples.iter().filter(|e| Level::from_score(self.score(&e.features)) == e.level).count();
        hits as f32 / examples.len() as f32
    }
}

/// Gaussian elimination with partial pivoting.
fn solve<const N: usize>(mut a: [[f64; N]; N], mut b: [f64; N]) -> Option<[f64; N]> {
    for col in 0..N {
        let pivot = (col..N).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..N {
            let f = a[row][col] / a[col][col];
            let (upper, lower) = a.split_at_mut(row);
            for (dst, src) in lower[0][col..].iter_mut().zip(&upper[col][col..]) {
                *dst -= f * src;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0f64; N];
    for row in (0..N).rev() {
        let s: f64 = (row + 1..N).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_that_agents_treat_money_as_urgent() {
        // The hand weights rate "money at stake" (feature 6) as normal; the
        // agents always escalate it to urgent and leave the rest low.
        let hand = PriorityModel::default();
        let mut examples = Vec::new();
        for i in 0..40 {
            let mut x = [0.0f32; FEATURES];
            let money = i % 2 == 0;
            if money {
                x[6] = 1.0;
            }
            x[2] = (i % 5) as f32 / 10.0;
            let level = if money { Level::Urgent } else { Level::Low };
            examples.push(PriorityExample { features: x, level });
        }
        let learned = hand.fit(&examples, 1.0).expect("fits");
        let ModelSource::Learned { agreement_before, agreement_after, .. } = learned.source else {
            panic!("source is learned");
        };
        assert!(agreement_after > agreement_before, "{agreement_before} -> {agreement_after}");
        assert_eq!(agreement_after, 1.0);
    }

    #[test]
    fn too_few_examples_is_an_error_in_words() {
        let err = PriorityModel::default().fit(&[], 1.0).unwrap_err();
        assert!(err.to_string().contains("at least 5 agent decisions"), "{err}");
    }
}

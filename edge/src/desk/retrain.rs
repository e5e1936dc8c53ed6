//! Refitting the models from what agents and customers did: the priority
//! model from agents' overrides, the matcher weights from tickets linked to
//! the article that solved them and from "this helped" clicks.

use super::publish;
use crate::error::AppResult;
use crate::state::App;
use crate::store::{events, kv, tickets};
use deflect_shared::api::{RetrainPart, RetrainReport};
use deflect_shared::kb::{LabelledSignals, MatchWeights, fit_signal_weights};
use deflect_shared::priority::{FEATURES, Level, MIN_EXAMPLES, ModelSource, PriorityExample};

pub(crate) async fn retrain(app: &App, agent_id: &str) -> AppResult<RetrainReport> {
    let report = RetrainReport { priority: retrain_priority(app).await?, matcher: retrain_matcher(app).await? };
    app.audit(agent_id, "models.retrain", "models", serde_json::to_value(&report)?).await?;
    Ok(report)
}

async fn retrain_priority(app: &App) -> AppResult<RetrainPart> {
    let examples: Vec<PriorityExample> = tickets::overrides(&app.db)
        .await?
        .into_iter()
        .filter_map(|o| {
            let v: Vec<f32> = serde_json::from_str(&o.features).ok()?;
            let features: [f32; FEATURES] = v.try_into().ok()?;
            Some(PriorityExample { features, level: Level::parse(&o.chosen)? })
        })
        .collect();
    let current = kv::priority_model(&app.kv).await?;
    let before = f64::from(current.agreement(&examples));
    if examples.len() < MIN_EXAMPLES {
        return Ok(RetrainPart {
            examples: examples.len(),
            before,
            after: before,
            published: false,
            note: Some(format!("needs at least {MIN_EXAMPLES} priority overrides")),
        });
    }
    let fitted = current.fit(&examples, 10.0)?;
    let after = match fitted.source {
        ModelSource::Learned { agreement_after, .. } => f64::from(agreement_after),
        ModelSource::Hand => before,
    };
    let published = after >= before;
    if published {
        kv::put_priority_model(&app.kv, &fitted).await?;
    }
    Ok(RetrainPart {
        examples: examples.len(),
        before,
        after,
        published,
        note: (!published).then(|| "the fitted model agreed less with agents; kept the current one".into()),
    })
}

fn top1(weights: &MatchWeights, data: &[LabelledSignals]) -> f64 {
    if data.is_empty() {
        return 0.0;
    }
    let right = data
        .iter()
        .filter(|d| {
            let best = d
                .signals
                .iter()
                .enumerate()
                .max_by(|a, b| weights.combine(a.1).total_cmp(&weights.combine(b.1)))
                .map(|(i, _)| i);
            best == Some(d.gold)
        })
        .count();
    right as f64 / data.len() as f64
}

async fn retrain_matcher(app: &App) -> AppResult<RetrainPart> {
    let settings = app.settings().await?;
    let mut total = 0;
    let (mut before_sum, mut after_sum) = (0.0, 0.0);
    let mut published = false;
    let mut notes = Vec::new();
    for site in &settings.sites {
        let Some(mut kb) = publish::load_with_categories(app, &site.id).await? else {
            continue;
        };
        let index = &kb.index;
        let mut pairs: Vec<(String, String)> =
            tickets::article_links(&app.db, &site.id).await?.into_iter().map(|l| (l.question, l.article_id)).collect();
        pairs.extend(events::helped_pairs(&app.db, &site.id).await?.into_iter().map(|h| (h.question, h.article_id)));
        let data: Vec<LabelledSignals> = pairs
            .iter()
            .filter_map(|(q, a)| {
                let gold = index.position(a)?;
                Some(LabelledSignals { signals: index.signals(q, false)?, gold })
            })
            .collect();
        if data.len() < 5 {
            notes.push(format!("{}: needs at least 5 linked tickets or helpful clicks, has {}", site.id, data.len()));
            continue;
        }
        let current = *index.weights();
        let before = top1(&current, &data);
        let fitted = MatchWeights { signals: fit_signal_weights(&data, current.signals, 300), ..current };
        let after = top1(&fitted, &data);
        total += data.len();
        before_sum += before * data.len() as f64;
        after_sum += after * data.len() as f64;
        if after >= before {
            kv::put_match_weights(&app.kv, &site.id, &fitted).await?;
            kb.index.set_weights(fitted);
            publish::store(app, &site.id, &kb).await?;
            published = true;
        } else {
            notes.push(format!("{}: the fitted weights ranked worse; kept the current ones", site.id));
        }
    }
    let n = total.max(1) as f64;
    Ok(RetrainPart {
        examples: total,
        before: before_sum / n,
        after: if total > 0 { after_sum / n } else { 0.0 },
        published,
        note: (!notes.is_empty()).then(|| notes.join("; ")),
    })
}

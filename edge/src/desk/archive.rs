//! The KB's Markdown export: every article as a Markdown file
//! (`deflect_shared::api::to_markdown`, which the import reads back), in
//! one zip archive, a folder per category.

use crate::error::{AppError, AppResult};
use deflect_shared::api::{ArticleInput, ArticleView, to_markdown};
use deflect_shared::kb::{by_category, folder_path};
use deflect_shared::metrics::civil_from_days;
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// The articles as `<id>.md` files in a zip archive, in a folder per
/// category and one in it per section (`deflect_shared::kb::folder_path`;
/// at the top for none), each dated when the article was last saved
/// (UTC). The category is in each file's front matter too, so the import
/// needs no folders. Stored, not compressed: the archive is a few hundred
/// kilobytes at most, and compressing would cost the worker's CPU time on
/// every download.
pub(crate) fn markdown_zip(articles: &[ArticleView]) -> AppResult<Vec<u8>> {
    let fail = |e: &dyn std::fmt::Display| AppError::Internal(format!("the Markdown export could not be written: {e}"));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    for group in by_category(articles, |a| a.category.as_str(), &[]) {
        let folder = folder_path(group.name);
        for a in group.items {
            let options = SimpleFileOptions::default()
                .compression_method(CompressionMethod::Stored)
                .last_modified_time(dated(a.updated_at));
            // Ids are made of characters a path may hold.
            let path = if folder.is_empty() { format!("{}.md", a.id) } else { format!("{folder}/{}.md", a.id) };
            zip.start_file(path, options).map_err(|e| fail(&e))?;
            zip.write_all(to_markdown(&ArticleInput::from(a)).as_bytes()).map_err(|e| fail(&e))?;
        }
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

/// A time (ms since the epoch) as a zip entry's date, in UTC; a time the
/// format cannot hold (before 1980 or after 2107) gives its first day.
fn dated(ms: i64) -> DateTime {
    let secs = ms.div_euclid(1000);
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let rem = secs.rem_euclid(86_400);
    let parts = (u16::try_from(y), u8::try_from(m), u8::try_from(d));
    let (Ok(y), Ok(m), Ok(d)) = parts else { return DateTime::default() };
    DateTime::from_date_and_time(y, m, d, (rem / 3600) as u8, (rem % 3600 / 60) as u8, (rem % 60) as u8)
        .unwrap_or_default()
}

//! The KB's Markdown export: every article as a Markdown file
//! (`deflect_shared::api::to_markdown`, which the import reads back), in
//! one zip archive.

use crate::error::{AppError, AppResult};
use deflect_shared::api::{ArticleInput, to_markdown};
use std::io::{Cursor, Write};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// The articles as `<id>.md` files in a zip archive. Stored, not
/// compressed: the archive is a few hundred kilobytes at most, and
/// compressing would cost the worker's CPU time on every download.
pub(crate) fn markdown_zip(articles: &[ArticleInput]) -> AppResult<Vec<u8>> {
    let fail = |e: &dyn std::fmt::Display| AppError::Internal(format!("the Markdown export could not be written: {e}"));
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(CompressionMethod::Stored);
    for a in articles {
        // Saved articles always have an id, made of characters a path may hold.
        let name = format!("{}.md", a.id.as_deref().unwrap_or("article"));
        zip.start_file(name, options).map_err(|e| fail(&e))?;
        zip.write_all(to_markdown(a).as_bytes()).map_err(|e| fail(&e))?;
    }
    Ok(zip.finish().map_err(|e| fail(&e))?.into_inner())
}

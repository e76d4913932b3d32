//! Reading the seed files: one CSV file into rows, and the cell shapes they use.

use std::path::Path;

use serde::Deserialize;

use crate::error::{AppError, AppResult};

/// Every row of `dir/file`, or BAD_INPUT naming the file and row that does not parse.
pub(super) fn read<T: for<'de> Deserialize<'de>>(dir: &Path, file: &str) -> AppResult<Vec<T>> {
    let path = dir.join(file);
    let mut reader = csv::Reader::from_path(&path)
        .map_err(|e| AppError::bad_input(format!("{}: {e}", path.display())))?;
    reader
        .deserialize()
        .enumerate()
        .map(|(i, row)| {
            row.map_err(|e| AppError::bad_input(format!("{} row {}: {e}", path.display(), i + 1)))
        })
        .collect()
}

pub(super) fn parse_enum<T: sea_orm::ActiveEnum<Value = String>>(value: &str) -> AppResult<T> {
    T::try_from_value(&value.to_owned())
        .map_err(|_| AppError::bad_input(format!("unknown value {value}")))
}

pub(super) fn blank(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

pub(super) fn date(text: &str) -> AppResult<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::bad_input(format!("not a date: {text}")))
}

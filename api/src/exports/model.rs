//! What an export asks for: a dataset, a file format and a period, parsed from the URL.

use chrono::NaiveDate;

use crate::error::{AppError, AppResult};

/// The longest period one file may cover.
const MAX_PERIOD_DAYS: i64 = 366 * 5;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    Donations,
    Disbursements,
    Hours,
}

impl Dataset {
    pub fn slug(self) -> &'static str {
        match self {
            Dataset::Donations => "donations",
            Dataset::Disbursements => "disbursements",
            Dataset::Hours => "hours",
        }
    }

    /// The worksheet's name.
    pub fn sheet_name(self) -> &'static str {
        match self {
            Dataset::Donations => "捐赠明细",
            Dataset::Disbursements => "款物流向",
            Dataset::Hours => "志愿服务时长",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xlsx,
    Csv,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Xlsx => "xlsx",
            Format::Csv => "csv",
        }
    }
}

/// `donations.xlsx`, `hours.csv`, ...
pub fn parse_file(file: &str) -> AppResult<(Dataset, Format)> {
    let (name, ext) = file
        .rsplit_once('.')
        .ok_or_else(|| AppError::bad_field("file", "ask for <dataset>.xlsx or <dataset>.csv"))?;
    let dataset = match name {
        "donations" => Dataset::Donations,
        "disbursements" => Dataset::Disbursements,
        "hours" => Dataset::Hours,
        _ => {
            return Err(AppError::bad_field(
                "file",
                "the datasets are donations, disbursements and hours",
            ));
        }
    };
    let format = match ext.to_ascii_lowercase().as_str() {
        "xlsx" => Format::Xlsx,
        "csv" => Format::Csv,
        _ => return Err(AppError::bad_field("file", "the formats are xlsx and csv")),
    };
    Ok((dataset, format))
}

/// Calendar days, both included, in the district's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// Both days given. Exports carry personal data, so none covers a period nobody chose.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> AppResult<Self> {
        let day = |field: &str, text: Option<&str>| {
            let text = text.map(str::trim).filter(|t| !t.is_empty()).ok_or_else(|| {
                AppError::bad_field(
                    field,
                    format!("give the period: {field}=YYYY-MM-DD (an export never covers all time by default)"),
                )
            })?;
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
                AppError::bad_field(field, format!("{field} is a date like 2026-01-31"))
            })
        };
        let from = day("from", from)?;
        let to = day("to", to)?;
        if to < from {
            return Err(AppError::bad_field("to", "to is before from"));
        }
        if (to - from).num_days() > MAX_PERIOD_DAYS {
            return Err(AppError::bad_field(
                "to",
                "one export covers at most five years",
            ));
        }
        Ok(Self { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_pick_dataset_and_format() {
        assert_eq!(
            parse_file("donations.xlsx").unwrap(),
            (Dataset::Donations, Format::Xlsx)
        );
        assert_eq!(
            parse_file("hours.CSV").unwrap(),
            (Dataset::Hours, Format::Csv)
        );
        assert!(parse_file("accounts.csv").is_err());
        assert!(parse_file("donations.pdf").is_err());
        assert!(parse_file("donations").is_err());
    }

    #[test]
    fn periods_are_ordered_and_bounded() {
        let p = Period::parse(Some("2025-01-01"), Some("2025-12-31")).unwrap();
        assert_eq!(p.from, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap());
        assert!(Period::parse(Some("2025-02-01"), Some("2025-01-01")).is_err());
        assert!(Period::parse(Some("2015-01-01"), Some("2025-01-01")).is_err());
        assert!(Period::parse(Some("2025-13-01"), Some("2025-12-31")).is_err());
        assert_eq!(Period::parse(None, None).unwrap_err().field(), Some("from"));
        assert_eq!(
            Period::parse(Some("2025-01-01"), None).unwrap_err().field(),
            Some("to")
        );
    }
}

//! Tables to files: XLSX (numbers stay numbers) and CSV in UTF-8 with a BOM, so Excel opens
//! the Chinese correctly.

use rust_xlsxwriter::{Format, Workbook};

use super::service::{Cell, Table};
use crate::{
    error::{AppError, AppResult},
    money::Fen,
};

/// The byte-order mark Excel looks for to read a CSV as UTF-8.
pub const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

fn hours(minutes: i64) -> String {
    // Hundredths of an hour, rounded half up.
    let hundredths = (minutes * 100 + 30).div_euclid(60);
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// A text cell as CSV: one that starts like a formula (`=`, `+`, `-`, `@`, tab, CR) gets a
/// leading apostrophe, as OWASP advises, so a spreadsheet shows it instead of running it.
/// Names and notes are typed by donors and staff, and exports are opened in Excel.
fn csv_text(text: &str) -> std::borrow::Cow<'_, str> {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

/// The most characters one XLSX cell holds.
const XLSX_CELL_CHARS: usize = 32_767;

/// A text cell as XLSX accepts it whatever was stored: control characters other than tab and
/// newline dropped, and cut to the cell's capacity (marked with an ellipsis).
fn xlsx_text(text: &str) -> std::borrow::Cow<'_, str> {
    let clean = |c: &char| !c.is_control() || matches!(c, '\t' | '\n');
    if text.chars().all(|c| clean(&c)) && text.chars().count() <= XLSX_CELL_CHARS {
        return text.into();
    }
    let mut kept: String = text.chars().filter(clean).take(XLSX_CELL_CHARS).collect();
    if kept.chars().count() == XLSX_CELL_CHARS {
        kept.pop();
        kept.push('…');
    }
    kept.into()
}

pub fn csv(table: &Table) -> AppResult<Vec<u8>> {
    let mut out = UTF8_BOM.to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let io = |e: csv::Error| AppError::internal(anyhow::anyhow!("writing CSV: {e}"));
        writer.write_record(&table.headers).map_err(io)?;
        for row in &table.rows {
            writer
                .write_record(row.iter().map(|cell| match cell {
                    Cell::Text(s) => csv_text(s).into_owned(),
                    Cell::Int(n) => n.to_string(),
                    Cell::Fen(f) => Fen::new(*f).to_string(),
                    Cell::Minutes(m) => hours(*m),
                }))
                .map_err(io)?;
        }
        writer
            .flush()
            .map_err(|e| AppError::internal(anyhow::anyhow!("writing CSV: {e}")))?;
    }
    Ok(out)
}

pub fn xlsx(table: &Table, sheet_name: &str) -> AppResult<Vec<u8>> {
    let err =
        |e: rust_xlsxwriter::XlsxError| AppError::internal(anyhow::anyhow!("writing XLSX: {e}"));
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold();
    let money = Format::new().set_num_format("0.00");
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name).map_err(err)?;
    for (col, title) in table.headers.iter().enumerate() {
        let col = col as u16;
        sheet
            .write_string_with_format(0, col, *title, &header)
            .map_err(err)?;
        sheet.set_column_width(col, 16).map_err(err)?;
    }
    for (i, row) in table.rows.iter().enumerate() {
        let r = (i + 1) as u32;
        for (col, cell) in row.iter().enumerate() {
            let col = col as u16;
            match cell {
                Cell::Text(s) if s.is_empty() => {}
                Cell::Text(s) => {
                    sheet.write_string(r, col, xlsx_text(s)).map_err(err)?;
                }
                Cell::Int(n) => {
                    sheet.write_number(r, col, *n as f64).map_err(err)?;
                }
                // A spreadsheet cell is a double; fen below 2^53 convert exactly, and the
                // two-place format shows yuan.
                Cell::Fen(f) => {
                    sheet
                        .write_number_with_format(r, col, *f as f64 / 100.0, &money)
                        .map_err(err)?;
                }
                Cell::Minutes(m) => {
                    sheet
                        .write_number_with_format(r, col, *m as f64 / 60.0, &money)
                        .map_err(err)?;
                }
            }
        }
    }
    sheet.set_freeze_panes(1, 0).map_err(err)?;
    if !table.headers.is_empty() {
        sheet
            .autofilter(
                0,
                0,
                table.rows.len() as u32,
                (table.headers.len() - 1) as u16,
            )
            .map_err(err)?;
    }
    workbook.save_to_buffer().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        Table {
            headers: vec!["收据编号", "金额（元）", "时长（小时）"],
            rows: vec![vec![
                Cell::Text("R-1".into()),
                Cell::Fen(12_345),
                Cell::Minutes(90),
            ]],
        }
    }

    #[test]
    fn csv_starts_with_the_bom_and_writes_yuan_and_hours() {
        let bytes = csv(&table()).unwrap();
        assert!(bytes.starts_with(UTF8_BOM));
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(text, "收据编号,金额（元）,时长（小时）\nR-1,123.45,1.50\n");
    }

    #[test]
    fn csv_cells_that_look_like_formulas_are_written_as_text() {
        let table = Table {
            headers: vec!["捐赠人"],
            rows: [
                "=HYPERLINK(\"http://x\")",
                "+1",
                "-2+3",
                "@SUM(A1)",
                "\tx",
                "\rx",
                "陈晓明",
            ]
            .into_iter()
            .map(|name| vec![Cell::Text(name.into())])
            .collect(),
        };
        let text = String::from_utf8(csv(&table).unwrap()[3..].to_vec()).unwrap();
        let mut reader = ::csv::Reader::from_reader(text.as_bytes());
        let names: Vec<String> = reader.records().map(|r| r.unwrap()[0].to_owned()).collect();
        assert_eq!(
            names,
            [
                "'=HYPERLINK(\"http://x\")",
                "'+1",
                "'-2+3",
                "'@SUM(A1)",
                "'\tx",
                "'\rx",
                "陈晓明"
            ]
        );
    }

    #[test]
    fn xlsx_takes_any_stored_text() {
        let table = Table {
            headers: vec!["捐赠人"],
            rows: vec![
                vec![Cell::Text("名".repeat(40_000))],
                vec![Cell::Text("a\0b\u{7}c".into())],
            ],
        };
        assert!(xlsx(&table, "捐赠明细").is_ok());
        assert_eq!(xlsx_text("a\0b\u{7}c"), "abc");
        assert_eq!(
            xlsx_text(&"名".repeat(40_000)).chars().count(),
            XLSX_CELL_CHARS
        );
    }

    #[test]
    fn xlsx_is_a_zip_file() {
        let bytes = xlsx(&table(), "捐赠明细").unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}

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

pub fn csv(table: &Table) -> AppResult<Vec<u8>> {
    let mut out = UTF8_BOM.to_vec();
    {
        let mut writer = csv::Writer::from_writer(&mut out);
        let io = |e: csv::Error| AppError::internal(anyhow::anyhow!("writing CSV: {e}"));
        writer.write_record(&table.headers).map_err(io)?;
        for row in &table.rows {
            writer
                .write_record(row.iter().map(|cell| match cell {
                    Cell::Text(s) => s.clone(),
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
                    sheet.write_string(r, col, s).map_err(err)?;
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
    fn xlsx_is_a_zip_file() {
        let bytes = xlsx(&table(), "捐赠明细").unwrap();
        assert!(bytes.starts_with(b"PK"));
    }
}

//! The district plan's indicators as exact figures: every value is a fraction in base units
//! (fen, people, minutes, or a plain ratio), compared with its target without rounding.

use std::cmp::Ordering;

use crate::money::Fen;

/// Every indicator the district plan sets a figure for (DESIGN.md, "Targets").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum IndicatorKey {
    /// Social donations, money and goods, confirmed in the year.
    DonationTotal,
    /// Their growth over the year before.
    DonationGrowth,
    /// Donations through the ONLINE channel.
    InternetDonations,
    /// Residents who have ever signed up for an activity, by the end of the year.
    RegisteredVolunteers,
    /// Residents with certified hours in the year.
    ActiveVolunteers,
    /// Active volunteers as a share of the population.
    ActiveVolunteerRate,
    /// Certified volunteer hours in the year.
    VolunteerHours,
    /// Certified volunteer-times (one per certified sign-up with hours).
    VolunteerTimes,
    /// Recognised (认定) charity organisations.
    RecognisedOrgs,
    /// Perk vouchers honoured in the year (礼遇受益人次).
    PerkBeneficiaries,
    /// Alliance members (礼遇联盟成员): perk partners.
    AllianceMembers,
    /// Per-capita donation as a share of per-capita disposable income.
    PerCapitaDonationRatio,
    /// 慈善一日捐 (campaign or channel) per head of population.
    OneDayDonationPerCapita,
}

/// What a figure counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum IndicatorUnit {
    /// Yuan with two places.
    Yuan,
    /// A whole number.
    Count,
    /// Hours with two places.
    Hours,
    /// A percentage with four places ("0.1600" is 0.16%).
    Percent,
}

/// How a value meets its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum Comparison {
    /// Value ≥ target.
    AtLeast,
    /// Value > target ("above 8%").
    Above,
}

/// An exact non-negative-denominator fraction in the unit's base: fen, a count, minutes, or a
/// ratio (1 = 100%).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figure {
    pub unit: IndicatorUnit,
    num: i128,
    den: i128,
}

impl Figure {
    pub fn new(unit: IndicatorUnit, num: i128, den: i128) -> Option<Self> {
        (den != 0).then(|| {
            let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
            Self { unit, num, den }
        })
    }

    pub fn whole(unit: IndicatorUnit, value: i64) -> Self {
        Self {
            unit,
            num: i128::from(value),
            den: 1,
        }
    }

    pub fn fen(fen: i64) -> Self {
        Self::whole(IndicatorUnit::Yuan, fen)
    }

    pub fn count(n: i64) -> Self {
        Self::whole(IndicatorUnit::Count, n)
    }

    /// Minutes, shown as hours.
    pub fn minutes(m: i64) -> Self {
        Self::whole(IndicatorUnit::Hours, m)
    }

    /// A ratio `part / whole`, shown as a percentage; `None` when `whole` is zero.
    pub fn ratio(part: i128, whole: i128) -> Option<Self> {
        Self::new(IndicatorUnit::Percent, part, whole)
    }

    /// `(now - before) / before`; `None` without a base year.
    pub fn growth(now: i64, before: i64) -> Option<Self> {
        Self::ratio(i128::from(now) - i128::from(before), i128::from(before))
    }

    /// Exact comparison of two figures of the same unit.
    pub fn cmp_value(&self, other: &Figure) -> Ordering {
        (self.num * other.den).cmp(&(other.num * self.den))
    }

    /// `num * scale / den`, rounded half away from zero.
    fn scaled(&self, scale: i128) -> i128 {
        let n = self.num * scale;
        let half = self.den / 2;
        if n >= 0 {
            (n + half) / self.den
        } else {
            (n - half) / self.den
        }
    }

    /// The value as a decimal string in its unit.
    pub fn display(&self) -> String {
        match self.unit {
            IndicatorUnit::Yuan => Fen::new(self.scaled(1) as i64).to_string(),
            IndicatorUnit::Count => self.scaled(1).to_string(),
            // Minutes → hundredths of an hour.
            IndicatorUnit::Hours => fixed(
                Figure {
                    den: self.den * 60,
                    ..*self
                }
                .scaled(100),
                2,
            ),
            IndicatorUnit::Percent => fixed(self.scaled(1_000_000), 4),
        }
    }
}

/// `value / 10^places` as a decimal string.
fn fixed(value: i128, places: u32) -> String {
    let scale = 10i128.pow(places);
    let sign = if value < 0 { "-" } else { "" };
    let abs = value.abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = places as usize
    )
}

/// A target from the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub figure: Figure,
    pub comparison: Comparison,
}

impl Target {
    pub fn is_met_by(&self, value: &Figure) -> bool {
        match self.comparison {
            Comparison::AtLeast => value.cmp_value(&self.figure) != Ordering::Less,
            Comparison::Above => value.cmp_value(&self.figure) == Ordering::Greater,
        }
    }
}

/// The plan's target for an indicator in a year, and where the figure comes from.
pub fn target_for(key: IndicatorKey, year: i32) -> Option<(Target, &'static str)> {
    use IndicatorKey::*;
    let at_least = |figure| Target {
        figure,
        comparison: Comparison::AtLeast,
    };
    let above = |figure| Target {
        figure,
        comparison: Comparison::Above,
    };
    let pct = |num, den| Figure::ratio(num, den).expect("nonzero denominator");
    Some(match key {
        DonationTotal | ActiveVolunteers => return None,
        DonationGrowth => (above(pct(8, 100)), "above 8% (2022)"),
        InternetDonations => (at_least(Figure::fen(30_000_000)), "300,000 yuan (2022)"),
        RegisteredVolunteers => (
            at_least(Figure::count(30_000)),
            "30,000 (2022 plan); 10,000 on 志愿浙江 (2023)",
        ),
        ActiveVolunteerRate => (at_least(pct(13, 100)), "13% of residents (2023)"),
        VolunteerHours => (
            at_least(Figure::minutes(200_000 * 60)),
            "200,000 hours (2023)",
        ),
        VolunteerTimes => (
            at_least(Figure::count(40_000)),
            "40,000 volunteer-times (2023)",
        ),
        RecognisedOrgs if year >= 2025 => (at_least(Figure::count(20)), "20 by 2025"),
        RecognisedOrgs => (above(Figure::count(8)), "above 8 (2022)"),
        PerkBeneficiaries => (at_least(Figure::count(10_000)), "10,000 (2023)"),
        AllianceMembers => (at_least(Figure::count(200)), "200 (2023)"),
        PerCapitaDonationRatio => (
            at_least(pct(16, 10_000)),
            "0.16% of per-capita disposable income (2023)",
        ),
        OneDayDonationPerCapita => (at_least(Figure::fen(5_500)), "55 yuan per capita by 2025"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_display_in_their_units() {
        assert_eq!(Figure::fen(123_456).display(), "1234.56");
        assert_eq!(Figure::count(42).display(), "42");
        assert_eq!(Figure::minutes(90).display(), "1.50");
        assert_eq!(Figure::minutes(1).display(), "0.02");
        assert_eq!(Figure::ratio(16, 10_000).unwrap().display(), "0.1600");
        assert_eq!(Figure::growth(108, 100).unwrap().display(), "8.0000");
        assert_eq!(Figure::growth(90, 100).unwrap().display(), "-10.0000");
        assert_eq!(
            Figure::new(IndicatorUnit::Yuan, 10_001, 3)
                .unwrap()
                .display(),
            "33.34"
        );
    }

    #[test]
    fn growth_needs_a_base_year() {
        assert_eq!(Figure::growth(100, 0), None);
    }

    #[test]
    fn above_is_strict_and_at_least_is_not_even_past_rounding() {
        let (growth, _) = target_for(IndicatorKey::DonationGrowth, 2026).unwrap();
        assert!(!growth.is_met_by(&Figure::growth(108, 100).unwrap()));
        assert!(growth.is_met_by(&Figure::growth(1_080_001, 1_000_000).unwrap()));
        let (ratio, _) = target_for(IndicatorKey::PerCapitaDonationRatio, 2026).unwrap();
        // 0.159999...% displays as 0.1600 but does not meet 0.16%.
        let just_under = Figure::ratio(15_999_999, 10_000_000_000).unwrap();
        assert_eq!(just_under.display(), "0.1600");
        assert!(!ratio.is_met_by(&just_under));
    }

    #[test]
    fn the_recognised_org_target_rises_in_2025() {
        let (before, _) = target_for(IndicatorKey::RecognisedOrgs, 2024).unwrap();
        let (after, _) = target_for(IndicatorKey::RecognisedOrgs, 2025).unwrap();
        assert!(before.is_met_by(&Figure::count(9)));
        assert!(!before.is_met_by(&Figure::count(8)));
        assert!(!after.is_met_by(&Figure::count(19)));
    }
}

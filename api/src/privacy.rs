//! How personal names appear where others can see them (PIPL art. 25).

/// Mask a personal name for public eyes: 张晓明 → 张*明, 张明 → 张*.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.trim().chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::mask_name;

    #[test]
    fn names_are_masked_in_the_middle() {
        assert_eq!(mask_name("张晓明"), "张*明");
        assert_eq!(mask_name("张明"), "张*");
        assert_eq!(mask_name("欧阳晓明"), "欧**明");
        assert_eq!(mask_name("张"), "*");
        assert_eq!(mask_name(" 张明 "), "张*");
    }
}

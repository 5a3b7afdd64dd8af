//! Checks shared by several resources' inputs.

use super::error::ApiError;

/// `text` trimmed, if it holds 1 to `max` characters.
pub fn name(field: &str, text: &str, max: usize) -> Result<String, ApiError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max {
        return Err(ApiError::InvalidInput(format!(
            "{field} must be 1 to {max} characters"
        )));
    }
    Ok(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(name("name", "  Ada ", 10).unwrap(), "Ada");
        assert!(name("name", "   ", 10).is_err());
        assert!(name("name", "abcdefghijk", 10).is_err());
    }
}

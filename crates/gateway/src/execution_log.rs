//! Execution-log lines as the console's test invoke prints them: `<date> : <message>`.

use serde::Serialize;
use time::OffsetDateTime;
use time::macros::format_description;

/// One execution-log line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogLine {
    /// When it was written, formatted like `Thu Dec 15 16:05:05 UTC 2022`.
    pub date: String,
    /// The message after `<date> : `.
    pub message: String,
}

impl std::fmt::Display for LogLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} : {}", self.date, self.message)
    }
}

/// Formats a time as Java's `EEE MMM dd HH:mm:ss zzz yyyy` in UTC.
pub fn format_log_date(at: OffsetDateTime) -> String {
    let utc = at.to_offset(time::UtcOffset::UTC);
    let format = format_description!(
        "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] UTC [year]"
    );
    utc.format(&format)
        .unwrap_or_else(|_| utc.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn dates_look_like_the_console() {
        assert_eq!(
            format_log_date(datetime!(2022-12-15 16:05:05 UTC)),
            "Thu Dec 15 16:05:05 UTC 2022"
        );
        assert_eq!(
            format_log_date(datetime!(2023-01-02 03:04:05 +01:00)),
            "Mon Jan 02 02:04:05 UTC 2023"
        );
    }
}

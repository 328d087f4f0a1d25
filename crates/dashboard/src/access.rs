//! Who may change a running lab through the control API.

/// Who may send control requests.
#[derive(Clone, PartialEq, Eq)]
pub enum ControlAccess {
    /// Anyone who reaches the gateway: it listens on loopback only.
    Loopback,
    /// Requests that carry `Authorization: Bearer <token>`.
    Token(String),
    /// Nobody: the gateway listens beyond loopback and no token was given.
    Off,
}

impl std::fmt::Debug for ControlAccess {
    // The token is a secret: it never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ControlAccess::Loopback => f.write_str("Loopback"),
            ControlAccess::Token(_) => f.write_str("Token(..)"),
            ControlAccess::Off => f.write_str("Off"),
        }
    }
}

impl ControlAccess {
    /// The access rule for a gateway listening on `listen`: open on loopback; beyond it,
    /// only with `token`, and off without one.
    pub fn for_listen(listen: std::net::IpAddr, token: Option<String>) -> Self {
        match token {
            Some(token) => ControlAccess::Token(token),
            None if listen.is_loopback() => ControlAccess::Loopback,
            None => ControlAccess::Off,
        }
    }

    /// Whether a request whose `Authorization` header is `authorization` may change the lab.
    pub(crate) fn allows(&self, authorization: Option<&[u8]>) -> Result<(), Refusal> {
        match self {
            ControlAccess::Loopback => Ok(()),
            ControlAccess::Off => Err(Refusal::Off),
            ControlAccess::Token(token) => {
                let given = authorization
                    .and_then(|value| value.strip_prefix(b"Bearer "))
                    .ok_or(Refusal::MissingToken)?;
                if same_bytes(given, token.as_bytes()) {
                    Ok(())
                } else {
                    Err(Refusal::WrongToken)
                }
            }
        }
    }

    /// Whether control requests need a token (the page then asks for one).
    pub(crate) fn needs_token(&self) -> bool {
        matches!(self, ControlAccess::Token(_))
    }

    /// Whether control is off altogether.
    pub(crate) fn is_off(&self) -> bool {
        matches!(self, ControlAccess::Off)
    }
}

/// Why a control request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    Off,
    MissingToken,
    WrongToken,
}

/// Compares two byte strings in time that depends on their lengths only.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_without_a_token_is_open_and_beyond_it_is_off() {
        let loopback = "127.0.0.1".parse().unwrap();
        let any = "0.0.0.0".parse().unwrap();
        assert_eq!(
            ControlAccess::for_listen(loopback, None),
            ControlAccess::Loopback
        );
        assert_eq!(ControlAccess::for_listen(any, None), ControlAccess::Off);
        assert_eq!(ControlAccess::Off.allows(None), Err(Refusal::Off));
    }

    #[test]
    fn a_token_must_be_sent_exactly() {
        let access = ControlAccess::Token("s3cret".into());
        assert_eq!(access.allows(Some(b"Bearer s3cret")), Ok(()));
        assert_eq!(
            access.allows(Some(b"Bearer s3cre")),
            Err(Refusal::WrongToken)
        );
        assert_eq!(access.allows(Some(b"s3cret")), Err(Refusal::MissingToken));
        assert_eq!(access.allows(None), Err(Refusal::MissingToken));
        assert!(!format!("{access:?}").contains("s3cret"));
    }
}

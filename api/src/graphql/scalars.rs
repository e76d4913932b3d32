//! The `Money` scalar: yuan as a decimal string with two places, `"1234.50"`.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

use crate::money::Fen;

/// Money in yuan as a string with two decimals, e.g. "1234.50". Exact; never a float.
#[Scalar(name = "Money")]
impl ScalarType for Fen {
    fn parse(value: Value) -> InputValueResult<Self> {
        match value {
            Value::String(text) => {
                Fen::parse_yuan(&text).map_err(|e| InputValueError::custom(e.to_string()))
            }
            _ => Err(InputValueError::custom(
                "Money is a string of yuan such as \"1234.50\"",
            )),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.to_string())
    }
}

//! One-time codes that prove a phone: six digits, valid ten minutes, single-use, five
//! guesses, only the newest one valid. Sends are limited per phone (one a minute, ten a day)
//! and per client address (thirty an hour), counted in the shared cache so every replica
//! shares the count.

use std::{net::IpAddr, sync::LazyLock, time::Duration};

use chrono::Utc;
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use uuid::Uuid;

use crate::{
    accounts::Phone,
    cache::Cache,
    entities::{account, enums::CodePurpose, phone_code},
    error::{AppError, AppResult},
    state::AppState,
};

pub const CODE_TTL: Duration = Duration::from_secs(600);
const MAX_GUESSES: i32 = 5;
pub const RESEND_GAP: Duration = Duration::from_secs(60);
const PHONE_DAY: Duration = Duration::from_secs(86_400);
pub const PER_PHONE_PER_DAY: i64 = 10;
const ADDRESS_HOUR: Duration = Duration::from_secs(3_600);
pub const PER_ADDRESS_PER_HOUR: i64 = 30;

/// What the sender is told after asking for a code.
#[derive(Clone, Debug)]
pub struct CodeSent {
    pub sent_to: String,
    pub expires_in: Duration,
    pub resend_after: Duration,
}

/// Where sends are counted while the shared cache is unreachable: this process alone, so an
/// outage loosens the limits to one window per replica instead of removing them.
static LOCAL_COUNTS: LazyLock<Cache> = LazyLock::new(|| Cache::in_process("sms"));

async fn count(app: &AppState, key: &str, window: Duration) -> AppResult<i64> {
    match app.cache.incr(key, window).await {
        Ok(n) => Ok(n),
        Err(err) => {
            tracing::warn!(error = %err, "text-message limits counted in this process only");
            LOCAL_COUNTS
                .incr(key, window)
                .await
                .map_err(AppError::internal)
        }
    }
}

/// Count one send against the address and the phone, refusing past any limit.
async fn reserve_send(app: &AppState, phone: &Phone, client: Option<IpAddr>) -> AppResult<()> {
    let address = client.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    if count(app, &format!("sms-ip:{address}"), ADDRESS_HOUR).await? > PER_ADDRESS_PER_HOUR {
        return Err(AppError::RateLimited {
            retry_after_secs: ADDRESS_HOUR.as_secs(),
        });
    }
    if count(app, &format!("sms-gap:{}", phone.as_str()), RESEND_GAP).await? > 1 {
        return Err(AppError::RateLimited {
            retry_after_secs: RESEND_GAP.as_secs(),
        });
    }
    if count(app, &format!("sms-day:{}", phone.as_str()), PHONE_DAY).await? > PER_PHONE_PER_DAY {
        return Err(AppError::RateLimited {
            retry_after_secs: PHONE_DAY.as_secs(),
        });
    }
    Ok(())
}

/// Drop what the cache counts under this phone (an erased person's phone is not kept
/// anywhere, the counters included).
pub async fn forget_phone(app: &AppState, phone: &str) {
    for key in [format!("sms-gap:{phone}"), format!("sms-day:{phone}")] {
        let _ = app.cache.del(&key).await;
        let _ = LOCAL_COUNTS.del(&key).await;
    }
}

fn code_hash(phone: &Phone, purpose: CodePurpose, code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{purpose:?}:{}:{code}", phone.as_str()).as_bytes(),
    ))
}

/// Send a code for `purpose`. The answer is the same whether or not the phone has an
/// account, so it tells a stranger nothing; the message itself says what applies (a phone
/// already registered is told to log in instead of getting a registration code).
pub async fn send(
    app: &AppState,
    phone: &Phone,
    purpose: CodePurpose,
    client: Option<IpAddr>,
) -> AppResult<CodeSent> {
    reserve_send(app, phone, client).await?;
    let has_account = account::Entity::find()
        .filter(account::Column::Phone.eq(phone.as_str()))
        .one(&app.db.conn)
        .await?
        .is_some_and(|a| !a.disabled);
    let text = match (purpose, has_account) {
        (CodePurpose::Register, true) => {
            "【洞头慈善】此手机号已注册洞头慈善共富账号，请直接登录；忘记密码可在登录页选择“忘记密码”。"
                .to_owned()
        }
        (CodePurpose::ResetPassword, false) => {
            "【洞头慈善】此手机号还没有洞头慈善共富账号，请在登录页选择“注册”。".to_owned()
        }
        (purpose, _) => {
            let code = format!("{:06}", rand::rng().random_range(0..1_000_000));
            issue(app, phone, purpose, &code).await?;
            let what = match purpose {
                CodePurpose::Register => "注册账号",
                CodePurpose::ResetPassword => "设置密码",
            };
            format!(
                "【洞头慈善】验证码 {code}，用于{what}，{} 分钟内有效。请勿告诉他人，工作人员不会索要验证码。",
                CODE_TTL.as_secs() / 60
            )
        }
    };
    app.sms.send(phone.as_str(), &text).await.map_err(|err| {
        tracing::warn!(error = %err, "text message not sent");
        AppError::Unavailable("the text message could not be sent; try again in a minute".into())
    })?;
    Ok(CodeSent {
        sent_to: phone.masked(),
        expires_in: CODE_TTL,
        resend_after: RESEND_GAP,
    })
}

/// Store a new code as the only valid one for this phone and purpose.
async fn issue(app: &AppState, phone: &Phone, purpose: CodePurpose, code: &str) -> AppResult<()> {
    let now = Utc::now();
    let txn = app.db.begin_write().await?;
    phone_code::Entity::update_many()
        .col_expr(phone_code::Column::UsedAt, Expr::value(now))
        .filter(phone_code::Column::Phone.eq(phone.as_str()))
        .filter(phone_code::Column::Purpose.eq(purpose))
        .filter(phone_code::Column::UsedAt.is_null())
        .exec(&*txn)
        .await?;
    phone_code::ActiveModel {
        id: Set(Uuid::now_v7()),
        phone: Set(phone.as_str().to_owned()),
        purpose: Set(purpose),
        code_hash: Set(code_hash(phone, purpose, code)),
        attempts: Set(0),
        expires_at: Set(now + chrono::Duration::from_std(CODE_TTL).expect("ten minutes")),
        used_at: Set(None),
        created_at: Set(now),
    }
    .insert(&*txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

fn code_error(message: &str) -> AppError {
    AppError::bad_field("code", message)
}

/// Use up the code: the guess is counted first (so at most five are ever compared, however
/// many arrive at once), then compared, then claimed (so of two requests with the right
/// code only one goes on).
pub async fn consume(
    app: &AppState,
    phone: &Phone,
    purpose: CodePurpose,
    code: &str,
) -> AppResult<()> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(code_error("the code is the 6 digits in the text message"));
    }
    let now = Utc::now();
    let Some(row) = phone_code::Entity::find()
        .filter(phone_code::Column::Phone.eq(phone.as_str()))
        .filter(phone_code::Column::Purpose.eq(purpose))
        .filter(phone_code::Column::UsedAt.is_null())
        .filter(phone_code::Column::ExpiresAt.gt(now))
        .order_by_desc(phone_code::Column::CreatedAt)
        .one(&app.db.conn)
        .await?
    else {
        return Err(code_error(
            "this code has expired or was already used; ask for a new one",
        ));
    };
    let counted = phone_code::Entity::update_many()
        .col_expr(
            phone_code::Column::Attempts,
            Expr::col(phone_code::Column::Attempts).add(1),
        )
        .filter(phone_code::Column::Id.eq(row.id))
        .filter(phone_code::Column::Attempts.lt(MAX_GUESSES))
        .exec(&app.db.conn)
        .await?;
    if counted.rows_affected == 0 {
        return Err(code_error("too many wrong codes; ask for a new one"));
    }
    let expected = row.code_hash.as_bytes();
    let given = code_hash(phone, purpose, code);
    if !bool::from(expected.ct_eq(given.as_bytes())) {
        return Err(code_error("the code is wrong; check the text message"));
    }
    let claimed = phone_code::Entity::update_many()
        .col_expr(phone_code::Column::UsedAt, Expr::value(now))
        .filter(phone_code::Column::Id.eq(row.id))
        .filter(phone_code::Column::UsedAt.is_null())
        .exec(&app.db.conn)
        .await?;
    if claimed.rows_affected == 0 {
        return Err(code_error(
            "this code has expired or was already used; ask for a new one",
        ));
    }
    Ok(())
}

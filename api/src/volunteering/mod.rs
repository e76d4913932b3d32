//! 志愿服务: activities, sign-ups, check-in codes, certified hours, disputes, notices and the
//! printable certificate.

pub mod attendance;
pub mod certificate;
pub mod certification;
mod graphql;
pub mod model;
pub mod service;

pub use graphql::{
    Activity, HourCertification, Notice, Signup, SignupsByActivity, VolunteeringMutation,
    VolunteeringQuery,
};
pub use model::{ActivityDraft, ActivityInput, CheckinCode};

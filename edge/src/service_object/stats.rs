//! A service's part of a report: its facts added up per bucket, here where they are, so that only
//! the figures travel.

use super::ServiceObject;
use crate::error::{ApiError, ApiResult};
use crate::internal::ServiceReport;
use callback_shared::config::CallbackService;
use callback_shared::stats;
use callback_shared::zone::Zone;
use chrono::DateTime;

impl ServiceObject {
    pub(super) fn stats(
        &self,
        starts_ms: &[i64],
        to_ms: i64,
        zone: &str,
        service: &CallbackService,
        csv: bool,
    ) -> ApiResult<ServiceReport> {
        let time = |ms: i64| DateTime::from_timestamp_millis(ms).unwrap_or_default();
        let zone = Zone::parse(zone).map_err(|e| ApiError::InvalidParameter(e.to_string()))?;
        let starts: Vec<_> = starts_ms.iter().copied().map(time).collect();
        let (from, to) = (starts.first().copied().unwrap_or(time(to_ms)), time(to_ms));
        let facts = self.store.facts(from, to)?;
        let (rows, totals) = stats::report(&facts, zone, &starts, to, service.on_time_window);
        let rows = if csv {
            serde_json::value::to_raw_value(&stats::csv_rows(&service.name, &rows))
        } else {
            serde_json::value::to_raw_value(&rows)
        }
        .map_err(|e| ApiError::Internal(e.to_string()))?;
        Ok(ServiceReport { rows, totals })
    }
}

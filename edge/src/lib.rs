//! The Callback API on Cloudflare Workers. This file only wires: see ARCHITECTURE.md.

mod error;

use error::ApiError;
use worker::*;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let path = req.path();
    if path.starts_with("/genesys/") {
        return Ok(ApiError::NotFound(path).into_response());
    }
    env.assets("ASSETS")?.fetch_request(req).await
}

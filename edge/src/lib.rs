use worker::*;

#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    env.assets("ASSETS")?.fetch_request(req).await
}

-- wrk: sign in with the demo account, again and again (argon2id-bound).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"email":"demo@eyewear.local","password":"Acetate-Hinge-Bridge-52"}'

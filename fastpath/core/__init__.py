"""The shared core: one of each thing every feature needs, importing no feature. (The one clock
belongs to it too but keeps its well-known name, fastpath.clock.)

windows (the one open/closed rule), tokens (private links and form nonces), emails (the one
address policy and normaliser), text (what people type, sizes), urls (bounded numbers in
URLs), database (transactions), extensions (db, mail, csrf, limiter), ratelimit (counters every
worker shares), after_response (work after the reply), audit (the audit log every feature
writes to, and the event-kind column type), erasure (what erased data looks like, scrubbing a
person out of text).
"""
